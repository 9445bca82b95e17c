"""Reading numbers out of what people type and what buttons carry, without surprises.

`int()` of an untrusted text can raise (letters, a sign alone) or refuse (Python's limit of
4300 digits); `small_int` looks at the text first and answers None for anything that is not
a short plain integer, so no typed text or forged payload can crash a handler.
"""

from __future__ import annotations

MAX_DIGITS = 9
"""The most digits a number we read may have: more than any scale, option or row id."""


def small_int(text: str | None, digits: int = MAX_DIGITS) -> int | None:
    """The integer a short plain text spells ("7", "-3", " 12 "), or None for anything else.

    At most `digits` decimal digits, an optional sign in front, spaces around; nothing else.
    """
    if text is None:
        return None
    body = text.strip()
    if len(body) > digits + 1:
        return None
    unsigned = body[1:] if body[:1] in ("-", "+") else body
    if not unsigned or len(unsigned) > digits or not unsigned.isdecimal():
        return None
    return int(body)
