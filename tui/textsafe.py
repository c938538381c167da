"""Showing text safely: control characters become visible placeholders, one character for one.

The stored text is never changed; only what is printed or drawn is. Keeping the substitution one
code point for one code point means offsets into the shown text are offsets into the stored text.
"""

from __future__ import annotations

# Bidi embeddings, overrides and isolates would reorder what follows them on screen.
_BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _placeholder(code: int) -> str:
    if code < 0x20:
        return chr(0x2400 + code)  # the Control Pictures block: ␀ ␁ ... ␛ ...
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd" if 0x80 <= code <= 0x9F else "\u2426"  # C1 -> �, bidi -> ␦


CONTROL_MAP: dict[int, str] = {
    code: _placeholder(code)
    for code in [*range(0x20), 0x7F, *range(0x80, 0xA0), *map(ord, _BIDI_CONTROLS)]
    if code not in (0x09, 0x0A)
}


def visible(text: str) -> str:
    """`text` with control characters (except tab and newline) replaced by visible placeholders."""
    return text.translate(CONTROL_MAP)


def is_control(char: str) -> bool:
    """True for a character that `visible` replaces."""
    return ord(char) in CONTROL_MAP


def excerpt(text: str, width: int) -> str:
    """One line of at most `width` characters: whitespace runs collapsed, controls made visible."""
    flat = " ".join(visible(text).split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"
