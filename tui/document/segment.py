"""Rule-based sentence segmentation over a document's blocks.

Candidates are found with one regular expression (a full stop, "?", "!", an ellipsis or a CJK
full stop, with the quotes and brackets that close after it); each candidate is then judged by
a few cheap rules: the next word starts in lower case, the word before is an abbreviation, an
initial or an enumerator. No sentence crosses a block boundary and every non-empty block is at
least one sentence. Code blocks and tables are split by line instead, headings and rules are
one sentence each.
"""

from __future__ import annotations

import re

from tui.model import Block

_CLOSERS = "\"'\u201d\u2019\u00bb\u203a)]}\u300d\u300f\uff09\u3015\u3011\u3009\u300b"
# Terminators that need whitespace after them, and those of CJK text, which do not.
_SPACED = ".!?\u2026\u203d\u2047\u2048\u2049\u061f\u06d4\u0964\u0965\u0589\u1362"
_CJK = "\u3002\uff01\uff1f\uff61"
_CANDIDATE = re.compile(
    f"[{re.escape(_SPACED)}]+[{re.escape(_CLOSERS)}]*(?=\\s)"
    f"|[{re.escape(_CJK)}]+[{re.escape(_CLOSERS)}]*"
)
_OPENERS = set("\"'\u201c\u2018\u00ab\u2039([{\u300c\u300e\uff08-\u2013\u2014\u00bf\u00a1*_")


def _words(listing: str) -> frozenset[str]:
    return frozenset(listing.split())


_WORD = re.compile(r"\w+")
_ACRONYM = re.compile(r"^(?:\w{1,2}\.)+\w{1,2}$")
_ENUMERATOR = re.compile(r"^\(?(?:\d{1,3}|[^\W\d_]|[IVXLCivxlc]{1,5})\)?$")

#: Abbreviations before a name or a number: a full stop after them never ends a sentence.
_NEVER_END = _words(
    """
    mr mrs ms mme mlle mmes messrs dr prof rev fr st mt gen col maj capt lt sgt cmdr adm gov
    sen rep hon pres supt insp e.g i.e cf viz vs approx ca esp incl nr tel
    тов им ул пр просп пер св проф акад ген кн гр г-н г-жа напр ср рис см
    """
)

#: Abbreviations that may end a sentence: they do only before a typical sentence opener.
_AMBIGUOUS = _words(
    """
    etc inc ltd co corp bros jr sr no nos vol vols p pp fig figs ch chap sec art ed eds al
    jan feb mar apr jun jul aug sep sept oct nov dec mon tue wed thu fri sat sun
    dept est min max misc gov't
    т д п е г гг в вв др руб коп тыс млн млрд стр гл ч изд
    """
)

#: Words that typically open a sentence, for the ambiguous cases above.
_STARTERS = _words(
    """
    the a an he she it they we i you his her its their our my this that these those there
    then but and or so yet however in on at for after before when while if as what who why
    how where meanwhile also still thus nor one some many most all each both no not
    он она оно они я мы вы ты это но и а в на так тогда когда однако потом после его её ее их
    все этот эта эти там тут здесь что как
    """
)


def segment_sentences(text: str, blocks: list[Block]) -> list[tuple[int, int]]:
    """Split the text of each block into sentences; return sorted `(start, end)` spans.

    Spans are trimmed of surrounding whitespace and never cross a block boundary. With no
    blocks the whole text is treated as one block.
    """
    if not blocks:
        blocks = [Block("paragraph", 0, len(text))]
    out: list[tuple[int, int]] = []
    for block in blocks:
        start, end = max(0, block.start), min(len(text), block.end)
        if start >= end:
            continue
        if block.kind == "code" or block.info == "table":
            _split_lines(text, start, end, out)
        elif block.kind in ("heading", "rule"):
            _append_trimmed(text, start, end, out)
        else:
            _split_prose(text, start, end, out)
    return out


def _append_trimmed(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append((start, end))


def _split_lines(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    """One sentence per non-blank line: code and table rows have no prose sentences."""
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        stop = end if nl < 0 else nl
        _append_trimmed(text, pos, stop, out)
        pos = stop + 1


def _split_prose(text: str, start: int, end: int, out: list[tuple[int, int]]) -> None:
    sentence_start = start
    for match in _CANDIDATE.finditer(text, start, end):
        cut = match.end()
        if cut >= end:
            break
        if _is_boundary(text, start, end, sentence_start, match):
            _append_trimmed(text, sentence_start, cut, out)
            sentence_start = cut
    _append_trimmed(text, sentence_start, end, out)


def _is_boundary(text: str, start: int, end: int, sentence_start: int, match: re.Match) -> bool:
    """Whether the candidate terminator in `match` really ends a sentence."""
    token = match.group()
    core = token.rstrip(_CLOSERS)
    if any(ch in _CJK for ch in core):
        return True

    # What comes next: skip whitespace, then opening quotes, brackets and dashes.
    j = match.end()
    while j < end and (text[j].isspace() or text[j] in _OPENERS):
        j += 1
    nxt = text[j] if j < end else ""
    if nxt.islower():
        return False

    if core.strip(".\u2026"):
        return True  # "?", "!", "?!", "!.." and the like
    if "\u2026" in core or core.count(".") > 1:
        # An ellipsis ends a sentence only when a capital follows.
        return nxt.isupper()

    # A single full stop: look at the word before it.
    k = match.start()
    lowest = max(sentence_start, k - 40)
    while k > lowest and not text[k - 1].isspace():
        k -= 1
    word = text[k : match.start()].lstrip("\"'\u201c\u2018\u00ab([{")
    if not word:
        return True
    if match.start() - sentence_start <= 8 and _ENUMERATOR.match(
        text[sentence_start : match.start()].strip()
    ):
        return False  # "1. Do this", "a. First", "IV. The ..."
    lower = word.lower()
    if lower in _NEVER_END:
        return False
    ambiguous = lower in _AMBIGUOUS or bool(_ACRONYM.match(word))
    if len(word) == 1 and word.isalpha():
        # An initial ("J. R. R. Tolkien", "А. С. Пушкин") unless a typical opener follows.
        ambiguous = True
    if not ambiguous:
        return True
    if not nxt or nxt.isdigit():
        return False
    following = _WORD.match(text, j, end)
    return bool(following) and following.group().lower() in _STARTERS
