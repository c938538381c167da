"""Bringing documents into the store: first import, unchanged re-import, and re-anchoring on change.

Shared by `margin import`, `margin PATH` and the library screen, so that every way in behaves alike.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from tui.model import Anchor, Annotation, Document, Resolution
from tui.store import Store

if TYPE_CHECKING:  # the loaders and anchoring are imported where used: reopening needs neither
    from tui.document import LoadResult

Action = Literal["added", "unchanged", "updated", "duplicate"]


@dataclass(slots=True)
class ImportReport:
    """What one import did. `statuses` counts the re-anchored annotations by status."""

    document_id: int
    title: str
    action: Action
    removed: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One human line, e.g. `#3 "Title": updated; 12 anchored, 2 moved, 1 orphan`."""
        head = f'#{self.document_id} "{self.title}"'
        if self.action == "added":
            return f"{head}: imported"
        if self.action == "unchanged":
            return f"{head}: unchanged"
        if self.action == "duplicate":
            return f"{head}: already imported (same text), skipped"
        order = ("anchored", "moved", "needs-review", "ambiguous", "orphan")
        parts = [f"{self.statuses[s]} {s}" for s in order if self.statuses[s]]
        detail = "; " + ", ".join(parts) if parts else "; no annotations"
        return f"{head}: text changed, updated{detail}"


def reanchor(document: Document, store: Store) -> dict[int, Resolution]:
    """Resolve every annotation of the stored document `document.id` in `document.text`."""
    from tui.anchoring import resolve

    assert document.id is not None
    sha = document.sha256
    moves: dict[int, Resolution] = {}
    for ann in store.annotations_for(document.id):
        anchor = Anchor(ann.start, ann.end, ann.exact, ann.prefix, ann.suffix, "")
        moves[ann.id] = resolve(document.text, anchor, text_sha256=sha)
    return moves


def store_loaded(store: Store, loaded: LoadResult, *, clean: bool) -> ImportReport:
    """Put a loaded document into the store: add it, skip it, or replace its text and re-anchor."""
    doc = loaded.document
    if clean:
        doc.metadata["cleaned"] = "yes"
    existing = None
    if doc.source and doc.source != "-":
        existing = store.find_by_source(doc.source)
    if existing is None:
        twin = store.find_by_sha256(doc.sha256)
        if twin is not None:
            return ImportReport(twin.id, twin.title, "duplicate", loaded.removed)
        added = store.add_document(doc)
        assert added.id is not None
        return ImportReport(added.id, added.title, "added", loaded.removed)
    old = store.get_document(existing.id)
    if old.sha256 == doc.sha256:
        return ImportReport(old.id or existing.id, old.title, "unchanged", loaded.removed)
    doc.id = existing.id
    moves = reanchor(doc, store)
    store.replace_text(doc, moves)
    counts = Counter(r.status for r in moves.values())
    return ImportReport(existing.id, doc.title, "updated", loaded.removed, counts)


def file_stamp(path: Path) -> str:
    """Size and modification time of a file: when both are as at import, the file is unchanged."""
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def import_file(
    store: Store, path: Path, *, title: str | None = None, clean: bool | None = None
) -> ImportReport:
    """Import or re-import one file; `clean=None` keeps the choice of the path's last import.

    A file whose size and modification time are as recorded at its last import is not read
    again, so reopening a big book costs nothing here.
    """
    source = str(path.resolve())
    stamp = file_stamp(path)
    previous = store.find_by_source(source)
    metadata = store.get_metadata(previous.id) if previous else {}
    if clean is None:
        clean = bool(metadata.get("cleaned"))
    if (
        previous is not None
        and metadata.get("file_stamp") == stamp
        and bool(metadata.get("cleaned")) == clean
        and title in (None, previous.title)
    ):
        return ImportReport(previous.id, previous.title, "unchanged")
    from tui.document import load_path

    loaded = load_path(path, title=title, clean=clean)
    loaded.document.metadata["file_stamp"] = stamp
    report = store_loaded(store, loaded, clean=clean)
    if report.action == "unchanged":
        # Touched but not changed: remember the new stamp so the next open is quick again.
        store.update_metadata(report.document_id, {"file_stamp": stamp})
    return report


def import_stdin(
    store: Store, data: bytes, *, title: str | None, clean: bool, fmt: str | None = None
) -> ImportReport:
    """Import text read from standard input."""
    from tui.document import load_bytes

    loaded = load_bytes(data, name="stdin", fmt=fmt, title=title, clean=clean, source="-")
    return store_loaded(store, loaded, clean=clean)


def expand_paths(paths: list[Path]) -> Iterator[Path]:
    """Files to import: files as given, folders walked for supported files in sorted order."""
    from tui.document import SUPPORTED_SUFFIXES

    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in child.relative_to(path).parts)
                ):
                    yield child
        else:
            yield path


def export_items(
    store: Store, ids: list[int] | None, tags: list[str], *, keep_bare: bool = False
) -> list[tuple[Document, list[Annotation]]]:
    """Documents with their annotations for the exporters, in the order of `ids` (None: all).

    Only documents with matching annotations are included, unless `keep_bare` asks for every
    document in `ids` (a document named on purpose is exported even with nothing in it).
    """
    by_doc: dict[int, list[Annotation]] = {}
    for ann in store.all_annotations(ids, tags=tags):
        by_doc.setdefault(ann.document_id, []).append(ann)
    order = ids if ids is not None else list(by_doc)
    wanted = order if keep_bare else [i for i in order if i in by_doc]
    return [(store.get_document(i), by_doc.get(i, [])) for i in wanted]
