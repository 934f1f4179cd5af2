"""URLs, postal codes and e-mail addresses."""
from __future__ import annotations

import re

from .base import N_, Check, Code, Finding, finding, nfkc, register

URL_RE = re.compile(r"https?://[!-~]+")
POSTAL_RE = re.compile(r"[0-9]{3}-?[0-9]{4}")
EMAIL_RE = re.compile(r"[!-~]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+")


def check_url(value: str) -> list[Finding]:
    return [] if URL_RE.fullmatch(value) else [finding("url-not-absolute")]


def check_postal(value: str) -> list[Finding]:
    if POSTAL_RE.fullmatch(value):
        return []
    fixed = nfkc(value).strip().replace("〒", "").strip()
    if POSTAL_RE.fullmatch(fixed):
        return [finding("fullwidth-chars", fix=fixed)]
    return [finding("postal-code-format")]


def check_email(value: str) -> list[Finding]:
    return [] if EMAIL_RE.fullmatch(value) else [finding("email-format")]


register(Check(
    "url",
    (Code("url-not-absolute", "warning", N_(
        '"{field}": "{cell}" should be an absolute URL starting with http:// or https://.'),
        restates=True),),
    kinds=("url",),
    make=lambda spec: check_url,
    predicate=URL_RE.fullmatch,
))

register(Check(
    "postal_code",
    (Code("postal-code-format", "warning", N_('"{field}": postal code "{cell}" should look like 123-4567.'),
          restates=True),),
    kinds=("postal_code",),
    make=lambda spec: check_postal,
    predicate=POSTAL_RE.fullmatch,
    headers=(("postal_code", re.compile(r"郵便番号|postalcode|zipcode")),),
))

register(Check(
    "email",
    (Code("email-format", "warning", N_('"{field}": check the e-mail address "{cell}".'), restates=True),),
    kinds=("email",),
    make=lambda spec: check_email,
    predicate=EMAIL_RE.fullmatch,
    headers=(("email", re.compile(r"メールアドレス|^e?mail")),),
))
