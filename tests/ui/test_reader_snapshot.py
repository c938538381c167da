"""The reader as a person sees it at 120x40: the sample with tagged highlights and a note."""

from __future__ import annotations

from pathlib import Path

from tui.anchoring import make_anchor
from tui.library import import_file
from tui.store import Store
from tui.ui.app import MarginApp


def annotated_store(db: Path, sample: Path) -> tuple[Store, int]:
    """The sample with three highlights (two tagged, one with a note), made through the store."""
    store = Store(db)
    doc_id = import_file(store, sample).document_id
    text = store.get_document(doc_id).text

    def span(phrase: str) -> tuple[int, int]:
        start = text.index(phrase)
        return start, start + len(phrase)

    crushing = span("The crushing of protests in 2022 spawned despair.")
    store.add_annotation(doc_id, make_anchor(text, *crushing), tags=["context"])
    conviction = span("A high-profile conviction has renewed hope")
    store.add_annotation(
        doc_id,
        make_anchor(text, *conviction),
        color="green",
        tags=["claim", "context"],
        note="Main claim of the piece: [bold]not[/] markup.",
    )
    past = span("Over the past month, the public in Kazakhstan")
    store.add_annotation(doc_id, make_anchor(text, *past), color="blue")
    return store, doc_id


def test_snapshot_of_the_reader(snap_compare, sample: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store, doc_id = annotated_store(tmp_path / "annotations.db", sample)
    app = MarginApp(store, document_id=doc_id)

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("j", "j")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(120, 40), run_before=before)
