"""Pure layout of the article view: wrapping, widths, placeholders and offset <-> column maps."""

from __future__ import annotations

import random

import pytest
from rich.cells import cell_len, get_character_cell_size

from tui.ui.widgets.textlayout import (
    TAB_SIZE,
    HeightIndex,
    Line,
    SpanIndex,
    _break_units,
    _build_simple_chars,
    _units,
    _wrap_simple,
    display_text,
    placeholder,
    wrap,
)

# Every kind of trouble a scraped or hostile text brings: CJK, emoji with joiners and variation
# selectors, flags, combining marks (also after a tab and at a line start), tabs, controls (C0,
# ESC sequences, C1, DEL), bidi overrides and isolates, a lone surrogate, zero-width characters,
# markup-looking brackets, hard line breaks, blank lines and runs of spaces.
HOSTILE = (
    "Plain words, then 日本語のテキストです and 한국어. Family 👨\u200d👩\u200d👧 ok, "
    "heart \u2764\ufe0f, flags 🇺🇸🇫🇷x. Cafe\u0301 and e\u0301\u0300 marks.\n"
    "\ttab\tstops\t\u0301after tab; \x1b[31mred\x1b[0m; NUL\x00; C1\x85; DEL\x7f;\n"
    "\u202eevil\u202c and \u2066iso\u2069 \ud800 lone; zero\u200bwidth\ufeff; [bold]x[/] "
    "[@click=app.quit]y[/]\n\n"
    "\u0301starts with a mark      then spaces   and averyveryveryverylongwordthatmustbecut."
)


def lines_of(text: str, width: int, mode: str = "word") -> list[Line]:
    return wrap(text, 0, len(text), width, mode)  # type: ignore[arg-type]


def line_for(lines: list[Line], offset: int) -> Line:
    """The line an offset is drawn on: the last one starting at or before it."""
    return [line for line in lines if line.start <= offset][-1]


def shown(lines: list[Line]) -> list[str]:
    return [line.text for line in lines]


# ---------------------------------------------------------------------------------- wrapping


def test_words_wrap_at_the_width_with_spaces_hanging() -> None:
    assert shown(lines_of("hello world foo bar", 7)) == ["hello ", "world ", "foo bar"]
    assert shown(lines_of("hello world foo bar", 11)) == ["hello world ", "foo bar"]
    assert shown(lines_of("hello world foo bar", 10)) == ["hello ", "world foo ", "bar"]
    assert shown(lines_of("hello world foo bar", 100)) == ["hello world foo bar"]


def test_a_word_longer_than_the_line_is_cut() -> None:
    assert shown(lines_of("aaaaaaaaaaa bb", 4)) == ["aaaa", "aaaa", "aaa ", "bb"]


def test_runs_of_spaces_hang_at_the_end_of_a_line() -> None:
    lines = lines_of("ab          cd", 5)
    assert shown(lines) == ["ab          ", "cd"]
    assert lines[0].crop_index(5) == 5  # drawn cropped to the width


def test_hard_line_breaks_are_kept_and_blank_lines_are_lines() -> None:
    text = "line one\nline two\n\nx"
    lines = lines_of(text, 40)
    assert shown(lines) == ["line one", "line two", "", "x"]
    # The newline is drawn at the end of its line; the next line starts after it.
    assert lines[0].end == text.index("\n")
    assert lines[1].start == text.index("\n") + 1


def test_char_mode_keeps_spaces_and_cuts_at_the_width() -> None:
    text = "    return x  # long"
    assert shown(lines_of(text, 8, "char")) == ["    retu", "rn x  # ", "long"]


@pytest.mark.parametrize("width", range(1, 16))
def test_fast_path_breaks_like_the_general_one(width: int) -> None:
    rng = random.Random(width)
    for _ in range(200):
        text = "".join(rng.choice("ab   c") for _ in range(rng.randrange(0, 40)))
        cells = [1] * len(text)
        kinds = [1 if char == " " else 0 for char in text]
        for mode in ("word", "char"):
            general = list(_break_units(cells, kinds, width, mode))  # type: ignore[arg-type]
            assert list(_wrap_simple(text, width, mode)) == general, (text, mode)  # type: ignore[arg-type]


@pytest.mark.parametrize("width", [1, 2, 3, 5, 8, 13, 40, 200])
def test_no_line_is_wider_than_the_width_but_for_hanging_spaces(width: int) -> None:
    for line in lines_of(HOSTILE, width):
        visible = line.crop_index(width)
        drawn = line.text[:visible]
        assert cell_len(drawn) <= width
        # What is cut off is only hanging spaces (a tab may carry a stray mark), or one unit
        # too wide for any line.
        rest = line.text[visible:]
        assert rest.strip(" \u0301") == "" or visible == 0


@pytest.mark.parametrize("width", [1, 2, 3, 5, 8, 13, 40, 200])
def test_lines_cover_the_text_exactly(width: int) -> None:
    lines = lines_of(HOSTILE, width)
    position = 0
    for line in lines:
        # Lines follow each other; only a newline may lie between two of them.
        assert line.start == position or (line.start == position + 1 and HOSTILE[position] == "\n")
        assert line.end >= line.start
        position = line.end
    assert position == len(HOSTILE)


# ---------------------------------------------------------------------------------- widths


def test_cjk_is_two_cells_and_breaks_between_characters() -> None:
    lines = lines_of("日本語のテキスト", 5)
    assert shown(lines) == ["日本", "語の", "テキ", "スト"]
    assert [line.cells for line in lines] == [4, 4, 4, 4]
    assert lines[0].col_of(1) == 2


def test_the_fast_path_characters_are_one_cell_for_rich() -> None:
    chars = _build_simple_chars()
    assert "é" in chars and "—" in chars and "“" in chars and "я" in chars
    assert "\u0301" not in chars and "\u00ad" not in chars and "日" not in chars
    assert all(get_character_cell_size(char) == 1 for char in chars)


def test_a_wide_character_never_splits_across_lines() -> None:
    lines = lines_of("ab日", 3)
    assert shown(lines) == ["ab", "日"]
    # A line may end right before a wide character, keeping the word before it whole.
    assert shown(lines_of("a bb日", 4)) == ["a bb", "日"]


def test_emoji_with_joiners_and_flags_stay_whole() -> None:
    family = "👨\u200d👩\u200d👧"
    text = f"{family}🇺🇸🇫🇷"
    lines = lines_of(text, 2)
    assert shown(lines) == [family, "🇺🇸", "🇫🇷"]
    # No offset inside the family or a flag can be reached from a column.
    first = lines[0]
    assert {first.offset_at_col(col) for col in range(first.cells)} == {0}
    assert first.snap(3) == 0
    assert first.snap_end(3) == len(family)


def test_combining_marks_stay_with_their_base() -> None:
    text = "ae\u0301\u0300b"
    (line,) = lines_of(text, 10)
    assert line.cells == 3
    assert line.snap(2) == 1 and line.snap(3) == 1
    assert line.snap_end(2) == 4
    assert line.col_of(4) == 2
    # A mark at the start of a line goes with the character after it.
    (line,) = lines_of("\u0301x y", 10)
    assert line.offset_at_col(0) == 0 and line.offset_at_col(1) == 2


# ---------------------------------------------------------------------------------- tabs, controls


def test_tabs_expand_to_the_next_tab_stop() -> None:
    (line,) = lines_of("a\tb", 20)
    assert line.text == "a" + " " * (TAB_SIZE - 1) + "b"
    (line,) = lines_of("abcd\te", 20)
    assert line.text == "abcd" + " " * TAB_SIZE + "e"
    # The whole tab maps back to the tab character.
    assert {line.offset_at_col(col) for col in range(4, 8)} == {4}
    assert line.col_of(5) == 8


@pytest.mark.parametrize(
    ("char", "shown_as"),
    [
        ("\x1b", "␛"),
        ("\x00", "␀"),
        ("\r", "␍"),
        ("\x7f", "␡"),
        ("\x85", "\\x85"),
        ("\u202e", "<RLO>"),
        ("\u2066", "<LRI>"),
        ("\u2028", "<LS>"),
        ("\ud800", "\\ud800"),
    ],
)
def test_controls_are_shown_as_placeholders_that_map_back(char: str, shown_as: str) -> None:
    assert placeholder(char) == shown_as
    text = f"a{char}b"
    (line,) = lines_of(text, 40)
    assert line.text == f"a{shown_as}b"
    assert line.placeholders == ((1, 1 + len(shown_as)),)
    # Every character of the placeholder stands for the control character.
    for index in range(1, 1 + len(shown_as)):
        assert line.offset_at_index(index) == 1
    assert line.offset_at_index(1 + len(shown_as)) == 2
    assert line.col_of(2) == 1 + cell_len(shown_as)


def test_escape_sequences_never_reach_the_drawn_text() -> None:
    for line in lines_of(HOSTILE, 30):
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in line.text)
        assert not any(c in line.text for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2069")


def test_display_text_for_short_labels() -> None:
    assert display_text("1.\t\x1b") == "1." + " " * TAB_SIZE + "␛"
    assert display_text("[bold]") == "[bold]"


# ---------------------------------------------------------------------------------- round trips


def boundaries(lines: list[Line]) -> set[int]:
    """Every offset where a display unit starts, plus each line's end."""
    found = set()
    for line in lines:
        found.update(line.offset_at_col(col) for col in range(line.cells + 1))
        found.update(line.offset_at_index(i) for i in range(len(line.text) + 1))
    return found


@pytest.mark.parametrize("width", [1, 2, 3, 4, 7, 12, 33, 80, 500])
def test_offset_to_column_and_back_for_every_offset(width: int) -> None:
    lines = lines_of(HOSTILE, width)
    for offset in range(len(HOSTILE) + 1):
        line = line_for(lines, offset)
        col = line.col_of(offset)
        assert line.offset_at_col(col) == line.snap(offset), (offset, line)
        index = line.index_of(offset)
        assert line.offset_at_index(index) == line.snap(offset), (offset, line)


@pytest.mark.parametrize("width", [1, 2, 3, 4, 7, 12, 33, 80, 500])
def test_column_to_offset_and_back_for_every_cell(width: int) -> None:
    for line in lines_of(HOSTILE, width):
        for col in range(line.cells):
            offset = line.offset_at_col(col)
            start_col = line.col_of(offset)
            # The cell belongs to the unit that starts at or before it and is that wide.
            assert start_col <= col
            assert col < line.col_of(line.snap_end(offset + 1)) or offset == line.end


def test_snapped_offsets_are_grapheme_boundaries() -> None:
    lines = lines_of(HOSTILE, 9)
    cuts = boundaries(lines)
    for offset in range(len(HOSTILE) + 1):
        line = line_for(lines, offset)
        assert line.snap(offset) in cuts
        assert line.snap_end(offset) in cuts
        assert line.snap(offset) <= offset <= line.snap_end(offset)
    # Inside the family emoji and between a letter and its marks there is no boundary.
    family = HOSTILE.index("👨")
    assert not cuts & set(range(family + 1, family + 5))
    accent = HOSTILE.index("e\u0301\u0300")
    assert accent + 1 not in cuts and accent + 2 not in cuts


def test_units_of_hostile_text_cover_every_offset_once() -> None:
    for text_line in HOSTILE.split("\n"):
        src, disp, cells, _kinds = _units(text_line, 0, len(text_line))
        assert src == sorted(set(src))
        assert not text_line or src[0] == 0
        assert sum(cells) == sum(cell_len(piece) for piece in disp)


# ---------------------------------------------------------------------------------- indexes


def test_span_index_finds_exactly_the_overlapping_spans() -> None:
    rng = random.Random(7)
    spans = []
    for i in range(400):
        start = rng.randrange(0, 1000)
        length = rng.choice([0, 1, 3, 10, 50, 300, 1000])
        spans.append((start, start + length, i))
    spans += [(100, 200, 1000), (100, 200, 1001), (0, 2000, 1002)]  # equal and enclosing
    index = SpanIndex(spans)
    assert len(index) == sum(1 for s, e, _ in spans if e > s)
    for _ in range(500):
        a = rng.randrange(-10, 1100)
        b = a + rng.randrange(0, 60)
        expected = sorted(p for s, e, p in spans if e > s and s < b and e > a)
        assert sorted(p for _, _, p in index.overlapping(a, b)) == expected


def test_span_index_on_nothing() -> None:
    index: SpanIndex[int] = SpanIndex([])
    assert index.overlapping(0, 10) == []
    assert len(index) == 0


def test_height_index_matches_a_plain_prefix_sum() -> None:
    rng = random.Random(3)
    heights = [rng.choice([0, 1, 2, 5, 40]) for _ in range(1000)]
    index = HeightIndex(heights)
    for _ in range(300):
        i = rng.randrange(len(heights))
        heights[i] = rng.choice([0, 1, 3, 7])
        index.set(i, heights[i])
    assert index.total == sum(heights)
    starts = [sum(heights[:i]) for i in range(len(heights) + 1)]
    for i in range(0, len(heights) + 1, 7):
        assert index.start(i) == starts[i]
    for row in range(0, sum(heights)):
        block = index.find(row)
        assert starts[block] <= row < starts[block] + heights[block]
    assert index.find(-5) == 0
    assert index.find(10**9) == len(heights) - 1
