"""`margin import`: files, folders, stdin, re-imports with re-anchoring, and refusals."""

from __future__ import annotations

import json
import shutil

from tests.conftest import SHARED

TITLE = "How a Domestic Violence Trial Ended Kazakhstan’s Political Nihilism"


def test_import_sample_prints_id_and_title(margin, sample):
    result = margin("import", str(sample))
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f'#1 "{TITLE}": imported')


def test_reimport_unchanged_is_a_noop(margin, sample):
    margin("import", str(sample))
    again = margin("import", str(sample))
    assert again.exit_code == 0
    assert "unchanged" in again.stdout
    listing = margin("list")
    assert listing.stdout.count("Political Nihilism") == 1


def test_same_text_from_another_path_is_not_imported_twice(margin, sample, tmp_path):
    margin("import", str(sample))
    copy = tmp_path / "copy.txt"
    shutil.copy(sample, copy)
    result = margin("import", str(copy))
    assert result.exit_code == 0
    assert "already imported" in result.stdout
    assert margin("list").stdout.count("Political Nihilism") == 1


def quotes_in_json(margin) -> list[tuple[str, dict]]:
    data = json.loads(margin("export", "--format", "json").stdout)
    out = []
    for item in data["first"]["items"]:
        selectors = {s["type"]: s for s in item["target"]["selector"]}
        out.append((selectors["TextQuoteSelector"]["exact"], selectors))
    return out


def test_changed_file_reanchors_annotations(margin, sample, tmp_path):
    doc = tmp_path / "article.txt"
    shutil.copy(sample, doc)
    margin("import", str(doc))
    quote = "Bishimbayev was sentenced to 24 years in prison"
    assert margin("annotate", "1", "--quote", quote, "--tag", "verdict").exit_code == 0
    text = doc.read_text(encoding="utf-8")
    doc.write_text("An editor's note added at the top.\n\n" + text, encoding="utf-8")
    result = margin("import", str(doc))
    assert result.exit_code == 0, result.output
    assert "updated" in result.stdout and "1 moved" in result.stdout
    new_text = doc.read_text(encoding="utf-8")
    [(exact, selectors)] = quotes_in_json(margin)
    position = selectors["TextPositionSelector"]
    assert exact == quote
    assert new_text[position["start"] : position["end"]] == quote


def test_deleted_passage_becomes_an_orphan_not_a_deletion(margin, sample, tmp_path):
    doc = tmp_path / "article.txt"
    shutil.copy(sample, doc)
    margin("import", str(doc))
    quote = "Perhaps most importantly, the trial is a symbol"
    margin("annotate", "1", "--quote", quote, "--note", "keep me")
    text = doc.read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("Perhaps most importantly"))
    doc.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    result = margin("import", str(doc))
    assert "1 orphan" in result.stdout
    md = margin("export", "--format", "md").stdout
    assert "keep me" in md and quote in md
    assert "Unplaced" in md or "unplaced" in md


def test_clean_reports_what_it_removed(margin, sample):
    result = margin("import", "--clean", str(sample))
    assert result.exit_code == 0
    assert "removed" in result.stdout
    shown = margin("show", "1").stdout
    assert shown.count("Over the past month, the public in Kazakhstan") == 1
    assert shown.count("Members of the media gather in front of a screen") == 1


def test_without_clean_text_is_verbatim(margin, sample):
    margin("import", str(sample))
    shown = margin("show", "1").stdout
    assert shown.count("Over the past month, the public in Kazakhstan") == 2


def test_folder_import_takes_supported_files_and_reports_bad_ones(margin, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Alpha title\n\nFirst paragraph here.\n", encoding="utf-8")
    (folder / "sub" / "b.md").write_text("# Beta\n\nSome *emphasis* here.\n", encoding="utf-8")
    (folder / "c.html").write_text(
        "<html><head><title>Gamma page</title></head><body><article><h1>Gamma page</h1>"
        "<p>"
        + "A paragraph of real words for the extractor to keep. " * 8
        + "</p></article></body></html>",
        encoding="utf-8",
    )
    (folder / "d.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (folder / "ignored.png").write_bytes(b"\x89PNG")
    result = margin("import", str(folder))
    assert result.exit_code == 1
    assert "skipped" in result.stderr and "d.txt" in result.stderr
    listing = margin("list").stdout
    for title in ("Alpha title", "Beta", "Gamma page"):
        assert title in listing


def test_stdin_import(margin):
    result = margin(
        "import", "-", "--title", "From a pipe", input="Some text\n\nread from stdin.\n"
    )
    assert result.exit_code == 0, result.output
    assert "From a pipe" in result.stdout
    assert margin("show", "1").stdout == "Some text\n\nread from stdin.\n"


def test_title_override(margin, sample):
    result = margin("import", "--title", "My own title", str(sample))
    assert "My own title" in result.stdout


def test_empty_and_missing_files_are_one_line_errors(margin, tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = margin("import", str(empty))
    assert result.exit_code == 1
    assert "empty" in result.stderr.lower()
    assert "Traceback" not in result.output
    missing = margin("import", str(tmp_path / "nope.txt"))
    assert missing.exit_code == 1 and "no such file" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_legacy_encoding_shows_cyrillic(margin):
    path = SHARED / "corpus" / "texts" / "pushkin-evgeniy-onegin-ru.cp1251.txt"
    assert margin("import", str(path)).exit_code == 0
    shown = margin("show", "1").stdout
    assert "Онегин" in shown


def test_crlf_file_offsets_stay_right(margin, tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"Title line\r\n\r\nFirst para\r\nsecond line.\r\n\r\nQuote me here.\r\n")
    margin("import", str(path))
    margin("annotate", "1", "--quote", "Quote me")
    [(exact, selectors)] = quotes_in_json(margin)
    text = margin("show", "1").stdout
    pos = selectors["TextPositionSelector"]
    assert "\r" not in text
    assert text[pos["start"] : pos["end"]] == exact == "Quote me"
