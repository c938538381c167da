"""Import orchestration: new, unchanged (the file not read again), changed and re-anchored."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import tui.document
from tui.anchoring import make_anchor
from tui.library import import_file
from tui.store import Store


@pytest.fixture
def store() -> Store:
    return Store.memory()


def write(path: Path, text: str, mtime_ns: int | None = None) -> None:
    path.write_text(text, encoding="utf-8")
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))


def test_unchanged_file_is_not_read_again(store, tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    write(path, "Title\n\nSome text here.\n")
    assert import_file(store, path).action == "added"

    def refuse(*args, **kwargs):
        raise AssertionError("the file was loaded again")

    monkeypatch.setattr(tui.document, "load_path", refuse)  # where import_file gets it
    assert import_file(store, path).action == "unchanged"


def test_touched_file_is_checked_then_remembered(store, tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    write(path, "Title\n\nSome text here.\n", mtime_ns=1_000_000_000)
    import_file(store, path)
    os.utime(path, ns=(2_000_000_000, 2_000_000_000))
    assert import_file(store, path).action == "unchanged"  # read, found the same
    monkeypatch.setattr(tui.document, "load_path", lambda *a, **k: pytest.fail("read a third time"))
    assert import_file(store, path).action == "unchanged"


def test_changed_file_is_reloaded_and_reanchored(store, tmp_path):
    path = tmp_path / "a.txt"
    write(path, "Title\n\nThe quote is here.\n", mtime_ns=1_000_000_000)
    report = import_file(store, path)
    text = store.get_document(report.document_id).text
    start = text.index("quote")
    store.add_annotation(report.document_id, make_anchor(text, start, start + 5))
    write(path, "Title\n\nNew first line.\n\nThe quote is here.\n", mtime_ns=3_000_000_000)
    again = import_file(store, path)
    assert again.action == "updated"
    assert again.statuses["moved"] == 1
    (ann,) = store.annotations_for(report.document_id)
    assert store.get_document(report.document_id).text[ann.start : ann.end] == "quote"


def test_asking_for_clean_reloads_even_when_unchanged(store, tmp_path):
    path = tmp_path / "a.txt"
    para = "A paragraph that a scraper repeated, long enough to count as one."
    write(path, f"Title\n\n{para}\n\n{para}\n")
    import_file(store, path)
    report = import_file(store, path, clean=True)
    assert report.action == "updated"
    assert store.get_document(report.document_id).text.count(para) == 1
