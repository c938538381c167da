"""The sidebar's entry layout: fixed height, widths in cells, text kept literal."""

from __future__ import annotations

from rich.cells import cell_len

from tui.model import Annotation
from tui.ui.widgets.sidebar import ENTRY_HEIGHT, Entry, entry_lines, split_cells


def ann(exact: str, **kw: object) -> Annotation:
    return Annotation(1, "u", 1, 0, len(exact), exact, **kw)  # type: ignore[arg-type]


def test_split_cells_respects_wide_characters_and_spaces():
    first, rest = split_cells("漢字漢字漢字 more words here", 7)
    assert cell_len(first) <= 7 and first + rest != ""
    assert split_cells("short", 20) == ("short", "")
    first, rest = split_cells("one two three four", 10)
    assert first == "one two" and rest == "three four"


def test_every_entry_has_the_same_height_and_fits():
    samples = [
        ann("x"),
        ann("A long quote " * 20, tags=["a", "b"], note="a note " * 30),
        ann("[bold]x[/] 👨\u200d👩\u200d👧 עברית", note="[@click=app.quit]", status="orphan"),
    ]
    for width in (12, 30, 60):
        for a in samples:
            lines = entry_lines(Entry("annotation", a), width)
            assert len(lines) == ENTRY_HEIGHT
            assert all(line.cell_len <= width for line in lines)
    text = "".join(line.plain for line in entry_lines(Entry("annotation", samples[2]), 80))
    assert "[bold]x[/]" in text and "[@click=app.quit]" in text and "orphan" in text
    header = entry_lines(Entry("header", text="Unplaced (1):\nnot found"), 30)
    assert len(header) == ENTRY_HEIGHT and header[0].plain == "Unplaced (1):"
