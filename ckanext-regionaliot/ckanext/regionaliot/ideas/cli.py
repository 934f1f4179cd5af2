"""``ckan regionaliot ideas-seed``: demo ideas for the アイデアボックス (added to the core
plugin's command group by plugin.py). Idempotent: an idea whose title exists is skipped."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
import click

from .model import Idea

# (kind, title, body, organization, author, steps: (status, reply, detail))
DEMO = [
    ("request", "AED設置箇所の一覧をCSVで公開してほしい",
     "地域の防災訓練で、**最寄りのAED**を地図に載せたいです。", "kurashiki", "倉敷の町内会",
     [("reviewing", "担当課で公開できる項目を確認しています。", None),
      ("planned", "来月、推奨データセットの形式で公開します。", {"expected_date": "2027-01-15"})]),
    ("idea", "バス停と時刻表を使った通院ルート案内",
     "高齢の家族の通院に、乗換えの少ないルートを調べられるアプリを作りたい。", None, "学生チーム",
     [("reviewing", "交通事業者とデータの提供方法を相談しています。", None)]),
    ("request", "避難所の開設状況をリアルタイムで",
     "大雨のとき、どの避難所が開いているか分かると助かります。", "soja", "総社市民",
     []),
    ("request", "公衆トイレの位置情報", "観光客向けの地図に使いたい。", "takahashi", "観光ボランティア",
     [("declined", "現在は位置情報を管理しておらず、今年度の整備は見送ります。",
       {"reason": "台帳の整備が先に必要なため"})]),
]


@click.command("ideas-seed", short_help="Load demo ideas into the idea box")
@click.pass_context
def ideas_seed(ctx: click.Context):
    """Post the demo ideas and their staff replies (as the site user)."""
    from ckan import model

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    created = 0
    with ctx.meta["flask_app"].test_request_context():
        for kind, title, body, org, author, steps in DEMO:
            if model.Session.query(Idea).filter(Idea.title == title).count():
                continue
            if org and model.Group.get(org) is None:
                org = None  # the organizations are not seeded: the whole basin
            idea = tk.get_action("regionaliot_idea_create")(
                {"ignore_auth": True}, {"kind": kind, "title": title, "body": body,
                                        "organization": org or "", "author_name": author})
            for status, reply, detail in steps:
                tk.get_action("regionaliot_idea_update_status")(
                    {"user": site_user["name"]},
                    dict({"id": idea["id"], "status": status, "reply": reply}, **(detail or {})))
            created += 1
    click.secho(tk._("Demo ideas: {n} created.").format(n=created), fg="green")
