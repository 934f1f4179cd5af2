"""The XSS corpus: hostile payloads posted as an idea's title and body, a comment, a
display name, a report's reason and a staff reply must come out inert in every page that
shows them (the idea, the list, the home page, the staff's moderation page) and in the
Atom feed.

"Inert" is checked on the parsed page (Python's HTML tokenizer, which splits tags and
attributes as a browser does, and decodes character references in attribute values): no
event-handler attribute, no javascript:/vbscript:/data: URL in a link, image, form or
frame, and no script, style, SVG, MathML, frame, object, base or meta element carrying the
payloads' marker. Every payload carries the marker ``xss`` in its executable part; the
portal's own markup never does. test_the_detector_sees_every_payload_when_raw proves the
check would see each payload if it reached the page unescaped.

One render of each page per batch of payloads keeps the integration tests few.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import ckan.model as model
import pytest
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.regionaliot.ideas.ratelimit import PREFIX

MARKER = "xss"

CORPUS = [
    # script elements, plain and disguised
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=//127.0.0.1/xss.js></SCRIPT>",
    "<scr<script>ipt>alert('xss')</script>",
    "<script\x00>alert('xss')</script>",
    # event handlers, and breaking out of an attribute
    "<img src=x onerror=alert('xss')>",
    "\"><img src=x onerror=alert('xss')>",
    "' onmouseover='alert(\"xss\")' x='",
    "<details open ontoggle=alert('xss')>",
    "<a href=\"https://example.org\" onclick=\"alert('xss')\">link</a>",
    "<body onload=alert('xss')>",
    # javascript: and friends in Markdown links and images
    "[click](javascript:alert('xss'))",
    "[click](JaVaScRiPt:alert('xss'))",
    "[click](  javascript:alert('xss'))",
    "[click](<javascript:alert('xss')>)",
    "[click](java&#x09;script:alert('xss'))",
    "[click](&#106;avascript:alert('xss'))",
    "![image](javascript:alert('xss'))",
    "[ref][1]\n\n[1]: javascript:alert('xss')",
    "[click](vbscript:msgbox('xss'))",
    "<a href=\"&#106;avascript:alert('xss')\">x</a>",
    "<a href=\"jav\tascript:alert('xss')\">x</a>",
    # data: URLs
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzJyk8L3NjcmlwdD4=)",
    "![image](data:image/svg+xml,<svg onload=alert('xss')>)",
    "<iframe src=\"data:text/html,<script>alert('xss')</script>\"></iframe>",
    # SVG and MathML
    "<svg onload=alert('xss')>",
    "<svg><script>alert('xss')</script></svg>",
    "<svg><a xlink:href=\"javascript:alert('xss')\"><text>x</text></a></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert('xss')>",
    # other elements that run or redirect
    "<iframe src=\"javascript:alert('xss')\"></iframe>",
    "<object data=\"javascript:alert('xss')\"></object>",
    "<embed src=\"javascript:alert('xss')\">",
    "<form action=\"javascript:alert('xss')\"><button>go</button></form>",
    "<base href=\"javascript:alert('xss')//\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert('xss')\">",
    # CSS
    "<div style=\"background:url(javascript:alert('xss'))\">x</div>",
    "<style>body{background:url(\"javascript:alert('xss')\")}</style>",
    "<p style=\"width:expression(alert('xss'))\">x</p>",
    # unicode tricks
    "\u202e<script>alert('xss')</script>",
    "\ufeff<img src=x onerror=alert('xss')>",
    "<ſcript>alert('xss')</ſcript>",
    "＜script＞alert('xss')＜/script＞",
    "[click](java\u200bscript:alert('xss'))",
    # template injection: shown as typed, never evaluated
    "{{ 7*7 }}xss{% raw %}",
]

BATCHES = [CORPUS[i::3] for i in range(3)]

URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "background",
                  "poster", "srcset", "codebase", "dynsrc", "lowsrc", "content"}
RUNNING_ELEMENTS = {"script", "style", "svg", "math", "iframe", "frame", "object", "embed",
                    "base", "meta", "applet", "link", "form", "details", "body"}
BAD_SCHEME = re.compile(r"(?:^|url=)(?:javascript|vbscript|data):")


def _url(value: str) -> str:
    """A URL as a browser reads its scheme: ASCII whitespace and controls dropped."""
    return re.sub(r"[\x00-\x20\x7f]", "", value).lower()


class Detector(HTMLParser):
    """Collects what would run in a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        text = self.get_starttag_text() or ""
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and len(name) > 2:
                self.live.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and BAD_SCHEME.search(_url(value)):
                if not (tag == "meta" and MARKER not in value.lower()):
                    self.live.append(f"<{tag} {name}={value[:40]!r}>")
            if name == "style" and MARKER in value.lower():
                self.live.append(f"<{tag} style={value[:40]!r}>")
        if tag in RUNNING_ELEMENTS and MARKER in text.lower():
            self.live.append(text[:60])
        if tag in ("script", "style"):
            self._open.append(tag)

    def handle_endtag(self, tag):
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data):
        if self._open and MARKER in data.lower():
            self.live.append(f"<{self._open[-1]}>{data[:40]}")

    def close(self):
        super().close()
        # An unclosed script or style: the tokenizer keeps its text back, a browser runs it.
        if self._open and MARKER in self.rawdata.lower():
            self.live.append(f"<{self._open[-1]}>{self.rawdata[:40]}")


def live_markup(html: str) -> list[str]:
    detector = Detector()
    detector.feed(html)
    detector.close()
    return detector.live


RAW_SAFE = {  # payloads no browser runs even when pasted raw
    "<ſcript>alert('xss')</ſcript>", "＜script＞alert('xss')＜/script＞",
    "[click](java\u200bscript:alert('xss'))", "{{ 7*7 }}xss{% raw %}",
    "' onmouseover='alert(\"xss\")' x='",
    "<scr<script>ipt>alert('xss')</script>",  # a browser reads the tag "scr<script"
    "<script\x00>alert('xss')</script>",  # NUL: the tag is "script\ufffd"
}


def test_the_detector_sees_every_payload_when_raw():
    """Pure: the check is meaningful. Each payload pasted raw into a page (as HTML, or as
    the HTML a naive Markdown renderer would make of its links and images) is found."""
    def naive_markdown(text: str) -> str:
        text = re.sub(r"!\[([^\]]*)\]\(([^)]*)\)", r'<img alt="\1" src="\2">', text)
        text = re.sub(r"\[([^\]]*)\]\(<?([^)>]*)>?\)", r'<a href="\2">\1</a>', text)
        return re.sub(r"\[1\]: (\S+)", r'<a href="\1">ref</a>', text)

    for payload in CORPUS:
        if payload in RAW_SAFE:
            continue
        page = f"<html><body><p>{naive_markdown(payload)}</p></body></html>"
        assert live_markup(page), f"the detector misses a raw payload: {payload!r}"
    # Attribute breakout: live when pasted unquoted into an attribute.
    assert live_markup("<input value='' onmouseover='alert(\"xss\")' x=''>")
    # Escaped text is inert.
    assert not live_markup("<p>&lt;script&gt;alert('xss')&lt;/script&gt;</p>")
    assert not live_markup('<a href="https://example.org/xss">xss</a>')


_REQUEST = {}


@pytest.fixture
def request_for_actions(test_request_context):
    redis = connect_to_redis()
    for key in redis.scan_iter(PREFIX + "*"):
        redis.delete(key)
    _REQUEST["context"] = test_request_context


def act(action, context=None, **data):
    with _REQUEST["context"]():
        return call_action(action, context, **data)


def _one_line(payload: str, limit: int) -> str:
    return " ".join(payload.split())[:limit] or "x"


@pytest.mark.usefixtures("with_plugins", "clean_db", "request_for_actions")
@pytest.mark.parametrize("batch", BATCHES, ids=[f"batch{i}" for i in range(len(BATCHES))])
def test_payloads_are_inert_in_every_page_and_the_feed(app, batch, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.regionaliot.ideas.rate_limit_posts", 0)
    sysadmin = factories.Sysadmin()
    staff = {"user": sysadmin["name"]}
    joined = "\n\n".join(batch)
    ideas = []
    for payload in batch:
        idea = act("regionaliot_idea_create", kind="idea", title=_one_line(payload, 100),
                   body=payload, author_name=_one_line(payload, 50))
        model.Session.execute(model.meta.metadata.tables["regionaliot_idea"].update()
                              .where(model.meta.metadata.tables["regionaliot_idea"].c.id
                                     == idea["id"]).values(vote_count=5))
        model.Session.commit()
        ideas.append(idea)
    main = ideas[0]["id"]
    for payload in batch:
        act("regionaliot_idea_comment", id=main, body=payload,
            author_name=_one_line(payload, 50))
    reporter = factories.User()
    for idea, payload in zip(ideas, batch, strict=True):
        act("regionaliot_idea_report", {"user": reporter["name"], "ignore_auth": False},
            id=idea["id"], reason=payload[:1000])
    act("regionaliot_idea_update_status", staff, id=main, status="reviewing", reply=joined)
    act("regionaliot_idea_update_status", staff, id=ideas[1]["id"], status="declined",
        reply=joined, reason=_one_line(batch[-1], 1000))

    as_staff = {"REMOTE_USER": sysadmin["name"]}
    pages = {
        "idea": app.get(f"/ideas/{main}").body,
        "idea (staff)": app.get(f"/ideas/{ideas[1]['id']}", extra_environ=as_staff).body,
        "list": app.get("/ideas?sort=new").body,
        "home": app.get("/").body,
        "moderation": app.get("/ideas/moderation?state=all", extra_environ=as_staff).body,
    }
    # The payloads did reach the pages (as text), so the check below is not vacuous.
    assert "alert(" in pages["idea"] and "alert(" in pages["moderation"]
    assert pages["list"].count("regionaliot-idea-item") >= len(batch)
    for name, html in pages.items():
        assert not live_markup(html), (name, live_markup(html))
        assert "49xss" not in html, name  # no template evaluated what citizens typed
    feed = app.get("/ideas/feed.atom").body
    assert "<script" not in feed.split("<feed", 1)[1].lower()
    assert not live_markup(feed)
