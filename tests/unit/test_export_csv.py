"""CSV export, read back with the standard library's csv.reader."""

from __future__ import annotations

import csv
import io
import random
import time
import uuid
from pathlib import Path

import pytest

from tui.export import FORMATS, SUFFIXES, to_csv
from tui.export.csvfile import COLUMNS
from tui.model import Annotation, Document

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SAMPLE = SHARED / "samples" / "fp-kazakhstan-trial.txt"


def read(text: str) -> list[dict[str, str]]:
    """Rows of a CSV text as dicts, after checking the header."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert tuple(rows[0]) == COLUMNS
    assert all(len(row) == len(COLUMNS) for row in rows)
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]]


def make_ann(text: str, quote: str, n: int, **fields) -> Annotation:
    start = text.index(quote)
    return Annotation(
        id=n,
        uuid=str(uuid.UUID(int=n)),
        document_id=1,
        start=start,
        end=start + len(quote),
        exact=fields.pop("exact", quote),
        **fields,
    )


def test_registry():
    assert FORMATS["csv"] is to_csv and SUFFIXES["csv"] == ".csv"


def test_header_only_for_nothing():
    assert to_csv([]) == ",".join(COLUMNS) + "\r\n"


def test_rows_round_trip_with_commas_quotes_and_line_breaks():
    text = 'He said, "no".\nA second line, with a comma.\n\nAnd 👨\u200d👩\u200d👧 עברית.'
    doc = Document(text=text, title='Title, with "quotes"', id=4)
    anns = [
        make_ann(text, text, 1, tags=["a, b", 'say "x"', "big idea"], note='Note,\n"quoted"\n'),
        make_ann(text, "👨\u200d👩\u200d👧 עברית", 2, color="green", created="2024-05-01 12:00:00"),
    ]
    out = to_csv([(doc, anns)])
    rows = read(out)
    assert rows[0] == {
        "document_id": "4",
        "title": 'Title, with "quotes"',
        "start": "0",
        "end": str(len(text)),
        "quote": text,
        "tags": 'a, b; say "x"; big idea',
        "note": 'Note,\n"quoted"\n',
        "color": "yellow",
        "status": "anchored",
        "created": "",
        "updated": "",
        "annotation_id": str(uuid.UUID(int=1)),
    }
    assert rows[1]["quote"] == "👨\u200d👩\u200d👧 עברית" and rows[1]["color"] == "green"
    assert rows[1]["created"] == "2024-05-01T12:00:00Z"
    # RFC 4180: every record ends in CRLF; line breaks inside quoted fields stay LF.
    assert out.endswith("\r\n") and out.count("\r\n") == 3 and "\r" not in out.replace("\r\n", "")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_formula_like_cells_are_defused(start):
    value = f'{start}HYPERLINK("http://evil","x")'
    text = f"Before {value} after"
    doc = Document(text=text, title=value, id=1)
    ann = make_ann(text, value, 1, note=value, tags=[value, "fine"], color=value)
    row = read(to_csv([(doc, [ann])]))[0]
    for column in ("title", "quote", "note", "color"):
        assert row[column] == "'" + value
    assert row["tags"] == "'" + value + "; fine"
    raw = read(to_csv([(doc, [ann])], defuse_formulas=False))[0]
    assert raw["quote"] == raw["note"] == raw["title"] == value


def test_cells_that_only_contain_formula_characters_are_unchanged():
    text = "a=b+c, x@y.org, 5-3, and 'quoted'"
    ann = make_ann(text, text, 1, note="e-mail me @ home")
    row = read(to_csv([(Document(text=text, title="T", id=1), [ann])]))[0]
    assert row["quote"] == text and row["note"] == "e-mail me @ home"


def test_bom_for_excel():
    text = "Ünïcödé text"
    doc = Document(text=text, title="T", id=1)
    out = to_csv([(doc, [make_ann(text, "Ünïcödé", 1)])], bom=True)
    assert out.startswith("\ufeff") and not to_csv([(doc, [])]).startswith("\ufeff")
    decoded = out.encode("utf-8").decode("utf-8-sig")
    assert read(decoded)[0]["quote"] == "Ünïcödé"


def test_unplaced_rows_have_status_and_the_quote_as_made_but_no_offsets():
    text = "The verdict was delivered on a Monday."
    moved = make_ann(text, "verdict was delivered", 1, status="moved", exact="verdict was deliverd")
    lost = make_ann(text, "Monday", 2, status="orphan", exact="Tuesday morning")
    review = make_ann(text, "The", 3, status="needs-review", exact="Thee")
    rows = read(to_csv([(Document(text=text, title="T", id=1), [lost, moved, review])]))
    assert [(r["status"], r["quote"]) for r in rows] == [
        ("moved", "verdict was delivered"),  # placed: the text as it stands now
        ("needs-review", "Thee"),  # unplaced, by where they last were
        ("orphan", "Tuesday morning"),
    ]
    assert (rows[0]["start"], rows[0]["end"]) == ("4", "25")
    assert all(r["start"] == r["end"] == "" for r in rows[1:])


def test_rows_follow_documents_then_document_order():
    docs = [Document(text=f"alpha beta gamma {i}", title=f"D{i}", id=i) for i in (3, 1)]
    items = [
        (d, [make_ann(d.text, w, n) for n, w in enumerate(["gamma", "alpha", "beta"])])
        for d in docs
    ]
    rows = read(to_csv(items))
    assert [(r["document_id"], r["quote"]) for r in rows] == [
        (doc_id, word) for doc_id in ("3", "1") for word in ("alpha", "beta", "gamma")
    ]


def test_control_characters_survive():
    text = "NUL \x00, ESC \x1b[31m, bidi \u202e and a tab\there"
    ann = make_ann(text, text, 1)
    assert read(to_csv([(Document(text=text, title="T", id=1), [ann])]))[0]["quote"] == text


def test_reference_article():
    text = SAMPLE.read_text(encoding="utf-8")
    start = text.index("Over the past month")
    end = text.index("\n\n", start) + 60
    anns = [
        Annotation(1, str(uuid.UUID(int=1)), 1, start, end, text[start:end], tags=["trial"]),
        make_ann(text, "Perhaps most importantly", 2, note='Key claim, see "law"'),
    ]
    rows = read(to_csv([(Document(text=text, title="Trial", source=str(SAMPLE), id=1), anns)]))
    for row in rows:
        assert text[int(row["start"]) : int(row["end"])] == row["quote"]
    assert rows[0]["quote"].count("\n") >= 2 and rows[1]["note"] == 'Key claim, see "law"'


def test_speed_of_a_large_export_is_printed(capsys):
    rng = random.Random(9)
    text = "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod.\n" * 200
    items = []
    for d in range(1000):
        anns = []
        for n in range(100):
            start = rng.randrange(0, len(text) - 200)
            end = start + rng.randrange(5, 180)
            tags = ["a", "b"] if n % 3 else []
            anns.append(Annotation(n, "", d, start, end, text[start:end], tags=tags))
        items.append((Document(text=text, title=f"D{d}", id=d + 1), anns))
    started = time.perf_counter()
    out = to_csv(items)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nCSV export of 100,000 annotations in 1,000 documents: {elapsed:.2f} s")
    assert len(read(out)) == 100_000
