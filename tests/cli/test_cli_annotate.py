"""`margin annotate`, `show` and `tags`, including hostile text that must stay data."""

from __future__ import annotations

import csv
import io
import json

HOSTILE = (
    "Hostile sample\n\n"
    "Plain [bold]not bold[/] and [@click=app.quit]click[/] text.\n\n"
    "An escape \x1b[31mred\x1b[0m sequence and a bell \x07 here.\n\n"
    "Family 👨\u200d👩\u200d👧 emoji, cafe\u0301 combining, and עברית מימין לשמאל.\n"
)


def test_annotate_errors_are_clear(margin, sample):
    margin("import", str(sample))
    missing = margin("annotate", "1", "--quote", "words that are not there")
    assert missing.exit_code == 1 and "not found" in missing.stderr
    repeated = margin("annotate", "1", "--quote", "Over the past month")
    assert repeated.exit_code == 1 and "--occurrence" in repeated.stderr
    too_far = margin("annotate", "1", "--quote", "Over the past month", "--occurrence", "5")
    assert too_far.exit_code == 1 and "2 time" in too_far.stderr
    colour = margin("annotate", "1", "--quote", "Perhaps most importantly", "--color", "mauve")
    assert colour.exit_code == 1 and "yellow" in colour.stderr
    nodoc = margin("annotate", "9", "--quote", "x")
    assert nodoc.exit_code == 1 and "no document" in nodoc.stderr


def test_occurrence_picks_the_right_copy(margin, sample):
    margin("import", str(sample))
    result = margin("annotate", "1", "--quote", "Over the past month", "--occurrence", "2")
    assert result.exit_code == 0, result.output
    text = sample.read_text(encoding="utf-8")
    first = text.find("Over the past month")
    second = text.find("Over the past month", first + 1)
    assert f"at {second}-" in result.stdout


def test_quote_across_a_line_break_matches(margin, tmp_path):
    path = tmp_path / "wrapped.txt"
    path.write_text("Title\n\nThe quick brown\nfox jumps over the lazy dog.\n", encoding="utf-8")
    margin("import", str(path))
    result = margin("annotate", "1", "--quote", "brown fox jumps")
    assert result.exit_code == 0, result.output


def test_tags_are_created_with_quick_keys(margin, sample):
    margin("import", str(sample))
    margin("annotate", "1", "-q", "Perhaps most importantly", "-t", "accountability", "-t", "Hope")
    margin("annotate", "1", "-q", "The public reaction on social media", "-t", "hope")
    listing = margin("tags").stdout
    rows = [line.split() for line in listing.splitlines()[1:]]
    assert ["1", "accountability", "1"] in rows
    assert ["2", "Hope", "2"] in rows


def test_doc_by_title_prefix_and_path(margin, sample):
    margin("import", str(sample))
    assert margin("annotate", "how a domestic", "-q", "Perhaps most importantly").exit_code == 0
    assert margin("show", str(sample)).exit_code == 0


def test_hostile_text_exported_exactly(margin, tmp_path):
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    assert margin("import", str(path)).exit_code == 0
    quotes = [
        "[bold]not bold[/] and [@click=app.quit]click[/]",
        "\x1b[31mred\x1b[0m",
        "Family 👨\u200d👩\u200d👧 emoji",
        "café",
        "עברית מימין לשמאל",
    ]
    for quote in quotes:
        result = margin("annotate", "1", "--quote", quote, "--note", f"note on {quote}")
        assert result.exit_code == 0, (quote, result.output)
    text = margin("show", "1").stdout
    data = json.loads(margin("export", "--format", "json").stdout)
    exported = []
    for item in data["first"]["items"]:
        sel = {s["type"]: s for s in item["target"]["selector"]}
        pos = sel["TextPositionSelector"]
        assert text[pos["start"] : pos["end"]] == sel["TextQuoteSelector"]["exact"]
        exported.append(sel["TextQuoteSelector"]["exact"])
    assert sorted(exported) == sorted(quotes)
    rows = list(
        csv.DictReader(io.StringIO(margin("export", "--format", "csv").stdout.lstrip("\ufeff")))
    )
    assert sorted(r["quote"] for r in rows) == sorted(quotes)
    md = margin("export", "--format", "md").stdout
    assert "👨\u200d👩\u200d👧" in md and "עברית מימין לשמאל" in md


def test_show_piped_is_the_plain_text(margin, tmp_path):
    path = tmp_path / "hostile.txt"
    path.write_text(HOSTILE, encoding="utf-8")
    margin("import", str(path))
    margin("annotate", "1", "--quote", "combining", "--tag", "t")
    assert margin("show", "1").stdout == HOSTILE.replace("cafe\u0301", "café")


def test_styled_show_keeps_markup_literal(sample):
    from rich.console import Console

    from tui.cli import styled_text
    from tui.model import Annotation, Document

    text = "Plain [bold]x[/] and \x1b[31m.\n"
    doc = Document(text=text, title="t", id=1)
    ann = Annotation(1, "u", 1, 6, 16, text[6:16], tags=["a tag"])
    console = Console(file=io.StringIO(), force_terminal=True, color_system="truecolor", width=200)
    console.print(styled_text(doc, [ann]))
    out = console.file.getvalue()
    assert "[bold]x[/]" in out
    assert "\x1b[31m." not in out  # the document's escape sequence is never sent to the terminal
    assert "␛[31m." in out
