"""Plain text: the text stays verbatim; blocks are runs of non-blank lines.

Headings are recognised conservatively, only where a book says so in a way that is hard to
mistake: a one-line block such as "CHAPTER IV", "BOOK ONE: 1805", "Part 2", "Глава первая",
or a Roman numeral alone. A long run of such lines is a table of contents, not an outline.
"""

from __future__ import annotations

import re

from tui.document.builder import Rendered
from tui.model import Block

_ROMAN = r"(?=[MDCLXVI])M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"
_EN_NUMBER = (
    r"(?:(?:twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[- ](?:one|two|three|four|five|six|seven|eight|nine|first|second|third|fourth|fifth"
    r"|sixth|seventh|eighth|ninth))?"
    r"|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen"
    r"|fifteen|sixteen|seventeen|eighteen|nineteen|twentieth|thirtieth|fortieth|fiftieth"
    r"|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth"
    r"|(?:thir|four|fif|six|seven|eigh|nine)teenth|last|final)"
)
_RU_NUMBER = (
    r"(?:(?:перв|втор|трет|четв[её]рт|пят|шест|седьм|восьм|девят|десят|одиннадцат|двенадцат"
    r"|тринадцат|четырнадцат|пятнадцат|последн)[а-яё]{0,3}"
    r"|один|одна|два|две|три|четыре|пять|шесть|семь|восемь|девять|десять)"
)
_NUMBER = rf"(?:\d{{1,4}}|{_ROMAN}|(?i:{_EN_NUMBER}|{_RU_NUMBER}))"

# Keyword -> rank: 1 volume, 2 book or part, 3 chapter. Ranks become heading levels.
_NUMBERED = {
    "volume": 1,
    "vol.": 1,
    "tome": 1,
    "том": 1,
    "book": 2,
    "part": 2,
    "act": 2,
    "epilogue": 2,
    "prologue": 2,
    "часть": 2,
    "книга": 2,
    "эпилог": 2,
    "пролог": 2,
    "chapter": 3,
    "chap.": 3,
    "section": 3,
    "scene": 3,
    "letter": 3,
    "stave": 3,
    "canto": 3,
    "глава": 3,
    "раздел": 3,
}
# Headings that need no number ("PREFACE", "Epilogue").
_STANDALONE = {
    "prologue",
    "epilogue",
    "preface",
    "foreword",
    "introduction",
    "afterword",
    "contents",
    "table of contents",
    "appendix",
    "postscript",
    "эпилог",
    "пролог",
    "предисловие",
    "вступление",
    "введение",
    "послесловие",
    "оглавление",
    "содержание",
    "примечания",
}
_KEYWORDS = "|".join(
    re.escape(k) for k in sorted(set(_NUMBERED) | _STANDALONE, key=len, reverse=True)
)
_DECOR = r"[\s*=~#_\-\u2013\u2014]*"
_HEADING = re.compile(
    rf"^{_DECOR}(?:(?P<ord>{_NUMBER})\s+)?(?P<kw>(?i:{_KEYWORDS}))"
    rf"(?:\s+(?P<num>{_NUMBER}))?"
    rf"\s*(?:[.:\u2013\u2014-]\s*(?P<rest>[^\n]*?))?[\s*=~#_.\u2013\u2014-]*$"
)
# Alone on a line only small numerals count: "MIX", "DIM" or "CD" are words, not chapters.
_BARE_ROMAN = re.compile(r"^[\s*]*(?=[CLXVI])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})\.?[\s*]*$")
_RULE = re.compile(r"^\s*([*\-=_~#\u2022\u00b7.])(?:\s*\1){2,}\s*$")
_GUTENBERG_TITLE = re.compile(r"^Title:[ \t]*(\S[^\n]*)$", re.MULTILINE)

_MAX_HEADING_LINE = 100
_MAX_TITLE_LINE = 120
_TOC_RUN = 4


def parse_plaintext(text: str) -> Rendered:
    """Blocks, headings and a title for a normalised plain text (returned unchanged)."""
    spans = _paragraph_spans(text)
    kinds: list[tuple[str, int]] = []  # (kind, rank) per span
    for start, end in spans:
        kinds.append(_classify(text[start:end]))
    _demote_tables_of_contents(kinds, [text[start:end] for start, end in spans])

    title, title_is_heading = _find_title(text, spans, kinds)
    ranks = sorted({rank for kind, rank in kinds if kind == "heading"})
    base = 2 if title_is_heading else 1
    level_of = {rank: min(6, base + i) for i, rank in enumerate(ranks)}

    blocks: list[Block] = []
    for i, ((start, end), (kind, rank)) in enumerate(zip(spans, kinds, strict=True)):
        if i == 0 and title_is_heading:
            blocks.append(Block("heading", start, end, 1))
        elif kind == "heading":
            blocks.append(Block("heading", start, end, level_of[rank]))
        elif kind == "rule":
            blocks.append(Block("rule", start, end))
        else:
            blocks.append(Block("paragraph", start, end))
    return Rendered(text, blocks, [], title)


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of each run of non-blank lines, without its final newline."""
    spans: list[tuple[int, int]] = []
    pos = 0
    block_start = -1
    block_end = -1
    for line in text.split("\n"):
        if line.strip():
            if block_start < 0:
                block_start = pos
            block_end = pos + len(line)
        elif block_start >= 0:
            spans.append((block_start, block_end))
            block_start = -1
        pos += len(line) + 1
    if block_start >= 0:
        spans.append((block_start, block_end))
    return spans


def _classify(block: str) -> tuple[str, int]:
    """("heading", rank), ("rule", 0) or ("paragraph", 0) for one block of plain text."""
    lines = block.split("\n")
    if len(lines) > 2 or len(lines[0]) > _MAX_HEADING_LINE:
        return "paragraph", 0
    first = lines[0]
    if len(lines) == 1 and _RULE.match(first):
        return "rule", 0
    rank = _heading_rank(first)
    if rank and len(lines) == 2 and not _is_subtitle(lines[1]):
        rank = 0
    return ("heading", rank) if rank else ("paragraph", 0)


def _heading_rank(line: str) -> int:
    """The rank of a heading line, 0 if the line is not one."""
    if _BARE_ROMAN.match(line):
        return 4
    match = _HEADING.match(line)
    if not match:
        return 0
    keyword = match.group("kw")
    if not keyword[0].isupper():
        return 0  # "chapter 4" inside a sentence is prose
    key = keyword.lower()
    numbered = match.group("num") or match.group("ord")
    if key not in _STANDALONE and not numbered:
        return 0
    rest = (match.group("rest") or "").strip()
    if len(rest) > 60 or rest.endswith((",", ";")):
        return 0
    return _NUMBERED.get(key, 2)


def _is_subtitle(line: str) -> bool:
    """A short second line under a heading line: "CHAPTER I." then "Down the Rabbit-Hole"."""
    line = line.strip()
    if not line or len(line) > 60 or line.endswith((",", ";", ":")):
        return False
    first = line.lstrip("\"'\u201c\u2018\u00ab([")[:1]
    return first.isupper() or first.isdigit()


def _demote_tables_of_contents(kinds: list[tuple[str, int]], texts: list[str]) -> None:
    """Runs of many heading-like blocks in a row are a table of contents: plain paragraphs.

    A run is first cut where the indentation changes (contents are often indented, the real
    headings not). A contents list that runs straight into the text ends with a repeat of
    its own first entries ("BOOK ONE", "CHAPTER I"): those last entries are real headings.
    """
    i = 0
    while i < len(kinds):
        if kinds[i][0] != "heading":
            i += 1
            continue
        j = i + 1
        indent = _indent(texts[i])
        while j < len(kinds) and kinds[j][0] == "heading" and _indent(texts[j]) == indent:
            j += 1
        if j - i >= _TOC_RUN:
            keep = _repeated_opening(texts[i:j])
            for k in range(i, j - keep):
                kinds[k] = ("paragraph", 0)
        i = j


def _indent(block: str) -> int:
    return len(block) - len(block.lstrip())


def _repeated_opening(run: list[str]) -> int:
    """How many of the last entries of a contents run repeat its first entries (0-3)."""
    keys = [" ".join(t.split()).casefold() for t in run]
    for skip in (0, 1):  # the first entry may be "CONTENTS" itself
        for k in (3, 2, 1):
            if len(keys) >= skip + 2 * k and keys[-k:] == keys[skip : skip + k]:
                return k
    return 0


def _find_title(
    text: str, spans: list[tuple[int, int]], kinds: list[tuple[str, int]]
) -> tuple[str, bool]:
    """The title the text gives itself, and whether its first block is that title."""
    if not spans:
        return "", False
    head = text[:4000]
    if "Project Gutenberg" in head or "PROJECT GUTENBERG" in head:
        match = _GUTENBERG_TITLE.search(text, 0, 20000)
        if match:
            return match.group(1).strip(), False
    first_start, first_end = spans[0]
    lines = [line.strip() for line in text[first_start:first_end].split("\n")]
    if kinds[0][0] == "rule":
        return "", False
    if kinds[0][0] == "heading":
        return " ".join(lines), False
    if len(lines) == 1:
        line = lines[0]
        if len(line) > _MAX_TITLE_LINE or line.endswith((",", ";")):
            return "", False
        return line, not line.endswith((".", ":"))
    if len(lines) == 2 and all(_looks_like_title_line(line) for line in lines):
        return " \u2014 ".join(lines), True
    return "", False


def _looks_like_title_line(line: str) -> bool:
    """A short line without sentence punctuation that starts with a capital."""
    return (
        0 < len(line) <= 80
        and not line.endswith((".", ",", ";", ":", "!", "?"))
        and (line[:1].isupper() or line[:1].isdigit())
    )
