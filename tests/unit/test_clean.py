"""`--clean`: adjacent duplicate paragraphs and repeated caption lines go, spans follow."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.document import clean_document, document_problems, load_bytes, load_path
from tui.model import Document

SAMPLE = (
    Path(__file__).resolve().parents[2].parent / "shared" / "samples" / "fp-kazakhstan-trial.txt"
)

PARAGRAPH = (
    "Over the past month, the public in Kazakhstan has been closely following the jury trial"
)
CAPTION = "Members of the media gather in front of a screen showing a live courtroom broadcast"
CREDIT = "Stringer/AFP via Getty Images"


def load(source: str, name: str = "x.txt") -> Document:
    return load_bytes(source.encode(), name=name).document


@pytest.fixture(scope="module")
def fp() -> tuple[Document, Document, list[str]]:
    original = load_path(SAMPLE).document
    result = load_path(SAMPLE, clean=True)
    return original, result.document, result.removed


def test_sample_repeats_are_there_without_clean(
    fp: tuple[Document, Document, list[str]],
) -> None:
    original, _, _ = fp
    assert original.text == SAMPLE.read_text(encoding="utf-8")
    assert original.text.count(PARAGRAPH) == 2
    assert original.text.count(CAPTION) == 3


def test_sample_cleaned_keeps_one_of_each(fp: tuple[Document, Document, list[str]]) -> None:
    _, cleaned, removed = fp
    assert cleaned.text.count(PARAGRAPH) == 1
    assert cleaned.text.count(CAPTION) == 1
    # The fullest copy of the caption, the one with the photo credit, is the one kept.
    caption_line = next(line for line in cleaned.text.split("\n") if line.startswith(CAPTION))
    assert caption_line.endswith(CREDIT)
    assert document_problems(cleaned) == []
    assert removed[0] == 'removed duplicate paragraph: "Over the past month, the public in…"'
    assert any(
        r.startswith("removed repeated caption line (2 copies)") and "Members" in r for r in removed
    )
    assert all(r.startswith("removed ") for r in removed)


def test_sample_clean_keeps_the_rest(fp: tuple[Document, Document, list[str]]) -> None:
    original, cleaned, _ = fp
    # Every line of the original survives somewhere (only copies went).
    kept_lines = set(cleaned.text.split("\n"))
    for line in original.text.split("\n"):
        if line and line not in kept_lines:
            assert line.startswith((PARAGRAPH, CAPTION)) or any(
                other.startswith(line) for other in kept_lines
            )
    # Not adjacent: "Join the Conversation" appears three times, apart, and stays.
    assert cleaned.text.count("Join the Conversation") == original.text.count(
        "Join the Conversation"
    )
    assert len(cleaned.text) < len(original.text)


def test_clean_is_idempotent(fp: tuple[Document, Document, list[str]]) -> None:
    _, cleaned, _ = fp
    again, removed = clean_document(cleaned)
    assert removed == []
    assert again.text == cleaned.text
    assert again.blocks == cleaned.blocks


def test_nothing_to_clean_returns_an_equal_copy() -> None:
    doc = load("One paragraph here, long enough.\n\nAnother paragraph, also long enough.")
    cleaned, removed = clean_document(doc)
    assert removed == []
    assert cleaned == doc
    assert cleaned is not doc


def test_short_and_distant_repeats_stay() -> None:
    para = "A paragraph that is long enough."
    source = f"No.\n\nNo.\n\n{para}\n\nMiddle.\n\n{para}"
    doc = load(source)
    cleaned, removed = clean_document(doc)
    assert removed == []
    assert cleaned.text == source


def test_triple_paragraph_becomes_one_and_blocks_shift() -> None:
    para = "This paragraph was scraped three times in a row."
    source = f"Head line\n\n{para}\n\n{para}\n\n{para}\n\nThe end, which follows."
    cleaned, removed = clean_document(load(source))
    assert cleaned.text == f"Head line\n\n{para}\n\nThe end, which follows."
    assert removed == [
        'removed duplicate paragraph (2 copies): "This paragraph was scraped three times…"'
    ]
    assert [cleaned.text[b.start : b.end] for b in cleaned.blocks] == [
        "Head line",
        para,
        "The end, which follows.",
    ]
    assert [cleaned.text[a:b] for a, b in cleaned.sentences] == [
        "Head line",
        para,
        "The end, which follows.",
    ]


def test_credit_on_the_first_copy_keeps_the_first() -> None:
    caption = "A ripped section of a plane rests in a grassy field."
    source = f"Intro words,\nand more.\n\n{caption} Photo: Someone/Agency\n{caption}\n\nAfter."
    cleaned, removed = clean_document(load(source))
    assert cleaned.text == f"Intro words,\nand more.\n\n{caption} Photo: Someone/Agency\n\nAfter."
    assert removed == ['removed repeated caption line: "A ripped section of a plane rests in a…"']


def test_captions_as_separate_one_line_blocks() -> None:
    caption = "Chinese soldiers in Belarus for military training."
    source = f"Lead in,\nhere.\n\n{caption}\n\n{caption} Photo: AP\n\nBody."
    cleaned, removed = clean_document(load(source))
    assert cleaned.text == f"Lead in,\nhere.\n\n{caption} Photo: AP\n\nBody."
    assert len(removed) == 1 and "caption" in removed[0]
    assert document_problems(cleaned) == []


def test_marks_are_shifted_with_the_text() -> None:
    para = "A duplicated paragraph with *emphasis* inside it."
    source = f"# Title\n\n{para}\n\n{para}\n\nThen a [link](https://x.example) and **bold** text."
    doc = load(source, name="a.md")
    before = [(m.kind, doc.text[m.start : m.end], m.href) for m in doc.marks]
    assert len(before) == 4
    cleaned, removed = clean_document(doc)
    assert len(removed) == 1
    after = [(m.kind, cleaned.text[m.start : m.end], m.href) for m in cleaned.marks]
    assert after == [before[0], before[2], before[3]]
    assert document_problems(cleaned) == []


def test_code_blocks_are_never_deduplicated() -> None:
    block = "```\nprint('the same line of code here')\nprint('the same line of code here')\n```"
    source = f"Intro.\n\n{block}\n\n{block}\n"
    doc = load(source, name="a.md")
    cleaned, removed = clean_document(doc)
    assert removed == []
    assert cleaned.text == doc.text


def test_table_rows_are_never_deduplicated() -> None:
    row = "| the same long cell value | again |"
    doc = load(f"| A | B |\n|---|---|\n{row}\n{row}\n", name="t.md")
    assert doc.blocks[0].info == "table"
    cleaned, removed = clean_document(doc)
    assert removed == []
    assert cleaned.text == doc.text


def test_load_without_clean_keeps_text_verbatim() -> None:
    para = "Same paragraph twice, long enough to count."
    source = f"{para}\r\n\r\n{para}\r\n"
    result = load_bytes(source.encode(), name="x.txt")
    assert result.removed == []
    assert result.document.text == source.replace("\r\n", "\n")
    cleaned = load_bytes(source.encode(), name="x.txt", clean=True)
    assert cleaned.document.text == para + "\n"
    assert len(cleaned.removed) == 1
