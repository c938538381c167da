"""`margin export`, `search`, `list` and `locate` through the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def annotated(margin, sample):
    margin("import", str(sample))
    margin("annotate", "1", "-q", "Perhaps most importantly", "-t", "accountability")
    margin(
        "annotate", "1", "-q", "The public reaction on social media", "-t", "hope", "--note", "n1"
    )
    return margin


def test_export_refuses_to_overwrite(annotated, tmp_path):
    out = tmp_path / "notes.md"
    out.write_text("precious")
    result = annotated("export", "-o", str(out))
    assert result.exit_code == 1 and "--force" in result.stderr
    assert out.read_text() == "precious"
    forced = annotated("export", "-o", str(out), "--force")
    assert forced.exit_code == 0
    assert "Perhaps most importantly" in out.read_text(encoding="utf-8")


def test_format_from_output_suffix(annotated, tmp_path):
    out = tmp_path / "notes.json"
    assert annotated("export", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == 2


def test_tag_filter(annotated):
    data = json.loads(annotated("export", "-f", "json", "--tag", "HOPE").stdout)
    assert data["total"] == 1
    csv_out = annotated("export", "-f", "csv", "--tag", "accountability").stdout
    assert "Perhaps most importantly" in csv_out and "social media" not in csv_out


def test_unknown_document_is_an_error(annotated):
    result = annotated("export", "42")
    assert result.exit_code == 1 and "no document" in result.stderr


@pytest.mark.parametrize(
    "query", ["don't", "a.b", '"', "NEAR(", "*", "AND", "-x", "((", "", "   ", "👨‍👩‍👧", "[bold]"]
)
def test_search_punctuation_never_raises(annotated, query):
    result = annotated("search", "--", query)
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.output


def test_search_finds_quotes_notes_and_text(annotated):
    result = annotated("search", "social media")
    assert result.exit_code == 0
    assert "quote" in result.stdout and "Political Nihilism" in result.stdout
    assert "note" in annotated("search", "n1").stdout
    assert "document" in annotated("search", "Aimaganova").stdout


def test_list_columns(annotated):
    out = annotated("list").stdout
    header = out.splitlines()[0].split()
    assert header[:4] == ["id", "title", "words", "annotations"]
    assert "never" in out


def test_read_command_upgrades_a_database_of_an_older_margin(margin, tmp_path):
    from tests.unit.test_store_faults import first_version_database

    old = tmp_path / "old.db"
    first_version_database(old)
    result = margin("list", db_path=old)
    assert result.exit_code == 0, result.stderr
    assert "Old" in result.stdout


def test_locate(margin, tmp_path, monkeypatch):
    assert margin("locate").stdout.strip() == str(tmp_path / "test.db")
    assert margin("locate", db_path=None).stdout.strip() == str(Path.cwd() / "annotations.db")
    monkeypatch.setenv("MARGIN_DB", str(tmp_path / "env.db"))
    assert margin("locate", db_path=None).stdout.strip() == str(tmp_path / "env.db")


def test_default_database_in_current_directory(margin, sample, tmp_path):
    assert margin("import", str(sample), db_path=None).exit_code == 0
    assert (tmp_path / "annotations.db").exists()


def test_read_commands_on_missing_database_explain(margin, tmp_path):
    result = margin("list", db_path=tmp_path / "none.db")
    assert result.exit_code == 1 and "import" in result.stderr
    assert not (tmp_path / "none.db").exists()


def test_corrupt_database_is_one_line(margin, sample, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database" * 100)
    result = margin("import", str(sample), db_path=bad)
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert bad.read_bytes() == b"this is not a database" * 100


def test_list_shows_long_and_hostile_titles_whole_when_piped(margin, tmp_path):
    title = "A very long title " * 8 + "[bold]x[/] \x1b[31m end"
    path = tmp_path / "t.txt"
    path.write_text("Body text of the document.\n", encoding="utf-8")
    assert margin("import", "--title", title, str(path)).exit_code == 0
    out = margin("list").stdout
    assert "[bold]x[/] ␛[31m end" in out
    assert "\x1b" not in out


def test_list_groups_thousands(margin, tmp_path):
    from tui.anchoring import make_anchor
    from tui.model import Document
    from tui.store import Store

    text = "A sentence. " * 2000
    with Store(tmp_path / "test.db") as store:
        doc = store.add_document(Document(text=text, title="Many"))
        assert doc.id is not None
        with store.bulk():
            for i in range(1200):
                store.add_annotation(doc.id, make_anchor(text, 12 * i, 12 * i + 11))
    row = margin("list").stdout.splitlines()[1]
    assert "1,200" in row and "4,000" in row  # annotations and words


def test_times_are_shown_in_local_time_across_a_clock_change():
    import subprocess
    import sys

    code = (
        "from tui.cli import short_time\n"
        "for s in ('2026-03-29T00:59:30.5Z', '2026-03-29T01:00:00Z', '2026-03-29T01:00:59Z',"
        " '2026-03-29T00:59:59+00:00', '', 'not a time'):\n"
        "    print(repr(short_time(s)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"TZ": "Europe/Prague", "PATH": "/usr/bin:/bin"},
        check=True,
    ).stdout.split("\n")
    assert out[:6] == [
        "'2026-03-29 01:59'",
        "'2026-03-29 03:00'",
        "'2026-03-29 03:00'",
        "'2026-03-29 01:59'",
        "''",
        "'not a time'",
    ]
