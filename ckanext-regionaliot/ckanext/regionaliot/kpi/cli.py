"""``ckan regionaliot kpi ...``: import the national list, show the figures, take the daily
snapshot (from cron), list the history. Joins the core plugin's group (hooks.commands())."""
from __future__ import annotations

import datetime
import json

import ckan.plugins.toolkit as tk
import click
from regionaliot.harvesters import kpi as arithmetic


@click.group("kpi", short_help="The open-data KPI (取組率): national list, figures, snapshots")
def kpi():
    """The KPI 「オープンデータに取り組む自治体 100%」 of the members and the country."""


@kpi.command("import-national", short_help="Import デジタル庁's list of engaged local governments")
@click.argument("sources", nargs=-1, required=True, metavar="FILE_OR_URL...")
@click.option("--as-of", "as_of", default=None, metavar="YYYY-MM-DD",
              help="The list's date (default: the date in its file name, else today).")
@click.pass_context
def import_national(ctx: click.Context, sources: tuple[str, ...], as_of: str | None):
    """Import the national list from files or http(s) URLs (UTF-8 with or without BOM, or
    Shift_JIS). Several files are read as one list (earlier years published prefectures
    and municipalities separately). URLs are fetched through the portal's guarded fetch.
    An import of a date already imported replaces it."""
    from . import national

    day = None
    if as_of:
        try:
            day = datetime.date.fromisoformat(as_of)
        except ValueError:
            raise click.BadParameter(tk._("Use the form YYYY-MM-DD."), param_hint="--as-of") from None
    with ctx.meta["flask_app"].test_request_context():
        try:
            result = national.summary(national.import_sources(list(sources), day))
        except national.ImportRefused as exc:
            raise click.ClickException(exc.text()) from None
        for problem in result["problems"][:20]:
            click.secho(problem, fg="yellow", err=True)
        if len(result["problems"]) > 20:
            click.secho(tk._("… and {count} more rows left out.").format(
                count=len(result["problems"]) - 20), fg="yellow", err=True)
        click.secho(tk._("National list of {as_of} imported ({encoding}): {engaged} engaged "
                         "local governments of {total} ({rate}%), {left_out} rows left out.")
                    .format(total=arithmetic.NATIONAL_TOTAL, left_out=len(result["problems"]),
                            **result), fg="green")


@kpi.command("show", short_help="Print the figures (JSON)")
@click.pass_context
def show(ctx: click.Context):
    """The figures of regionaliot_kpi_show, as JSON."""
    with ctx.meta["flask_app"].test_request_context():
        data = tk.get_action("regionaliot_kpi_show")({"ignore_auth": True}, {})
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@kpi.command("snapshot", short_help="Keep today's figures (run daily from cron)")
@click.option("--queue", is_flag=True,
              help="Queue it for the jobs worker (ckan jobs worker) instead of running it here.")
@click.pass_context
def snapshot(ctx: click.Context, queue: bool):
    """Take today's snapshot of the figures; running it twice a day replaces the first.
    Cron: ``15 3 * * * ckan -c /etc/ckan/ckan.ini regionaliot kpi snapshot``."""
    from . import jobs, snapshots

    with ctx.meta["flask_app"].test_request_context():
        if queue:
            job_id = jobs.enqueue()
            click.secho(tk._("KPI snapshot queued as job {id}.").format(id=job_id), fg="green")
            return
        row = snapshots.take()
        click.secho(tk._("KPI snapshot of {day}: consortium {rate}%, mean score {score}.")
                    .format(day=row.day.isoformat(), rate=row.consortium_rate,
                            score=row.mean_score), fg="green")


@kpi.command("history", short_help="Print the snapshots and imported national lists (JSON)")
@click.pass_context
def history(ctx: click.Context):
    with ctx.meta["flask_app"].test_request_context():
        data = tk.get_action("regionaliot_kpi_history")({"ignore_auth": True}, {})
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))
