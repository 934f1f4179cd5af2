"""全国地方公共団体コード (local-government code) check digit, mod 11.

The 6-digit code is the 5-digit JIS X 0402 code plus a check digit:
multiply the five digits by 6, 5, 4, 3, 2, sum, and take (11 - sum % 11) % 10.
"""
from __future__ import annotations

_WEIGHTS = (6, 5, 4, 3, 2)


def check_digit(five_digits: str) -> int:
    """Check digit for a 5-digit code such as ``"33202"`` (倉敷市 → 0)."""
    if len(five_digits) != 5 or not five_digits.isascii() or not five_digits.isdigit():
        raise ValueError(f"expected 5 ASCII digits, got {five_digits!r}")
    total = sum(int(d) * w for d, w in zip(five_digits, _WEIGHTS, strict=True))
    return (11 - total % 11) % 10


def with_check_digit(five_digits: str) -> str:
    """``"33202"`` → ``"332020"``."""
    return five_digits + str(check_digit(five_digits))


def is_valid(code: str) -> bool:
    """True for a well-formed 6-digit code whose last digit is right."""
    return (
        len(code) == 6
        and code.isascii()
        and code.isdigit()
        and check_digit(code[:5]) == int(code[5])
    )


def expected_code(code: str) -> str | None:
    """The correct 6-digit code for a 6-digit code with a wrong check digit
    (or for a 5-digit code without one); None when ``code`` is not digits."""
    if not code.isascii() or not code.isdigit() or len(code) not in (5, 6):
        return None
    return with_check_digit(code[:5])
