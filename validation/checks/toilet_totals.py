"""Toilet totals against their breakdown (公衆トイレ一覧): a 総数 smaller than the sum of
its kinds, or different from it when every kind is filled in."""
from __future__ import annotations

from .base import N_, Check, Code, register

# total -> its parts, as the standard names them (both generations).
PARTS = {
    "男性トイレ総数": ("男性トイレ数（小便器）", "男性トイレ数（和式）", "男性トイレ数（洋式）"),
    "女性トイレ総数": ("女性トイレ数（和式）", "女性トイレ数（洋式）"),
    "男女共用トイレ総数": ("男女共用トイレ数（和式）", "男女共用トイレ数（洋式）"),
}


def _count(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None


def make(columns: dict[str, int]):
    groups = [(total, parts) for total, parts in PARTS.items()
              if total in columns and all(part in columns for part in parts)]
    if not groups:
        return None

    def judge(cells: dict[str, str]):
        out = []
        for total, parts in groups:
            whole = _count(cells[total])
            counts = [_count(cells[part]) for part in parts]
            known = [c for c in counts if c is not None]
            if whole is None or not known:
                continue
            # Blank parts may be unknown: only a sum above the total, or a complete
            # breakdown that differs, is a contradiction.
            if sum(known) > whole or (len(known) == len(parts) and sum(known) != whole):
                out.append((total, "toilet-total-mismatch",
                            {"sum": sum(known), "parts": "、".join(parts)}))
        return out

    return judge


register(Check(
    "toilet-totals",
    (Code("toilet-total-mismatch", "error", N_(
        '"{field}" is {cell}, but its breakdown ({parts}) adds up to {sum}. Correct the total or '
        'the breakdown.')),),
    rows=make,
))
