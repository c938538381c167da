"""The library screen as a person sees it, at 100x30, with a fixed clock."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.app import App

from tui.anchoring import make_anchor
from tui.document import load_path
from tui.model import Document
from tui.store import Store
from tui.ui.screens.library import LibraryScreen

# Noon UTC, so the local dates in the "Imported" column are the same in every time zone.
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=UTC)


def iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class SnapshotApp(App[None]):
    """Hosts the library screen over a store filled with fixed documents."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def on_mount(self) -> None:
        self.push_screen(LibraryScreen(self.store, clock=lambda: NOW))


def filled_store(sample: Path) -> Store:
    store = Store.memory()
    article = load_path(sample).document
    kazakh = store.add_document(
        replace(
            article,
            source="/home/reader/articles/fp-kazakhstan-trial.txt",
            imported=iso(NOW - timedelta(days=12)),
            last_read=iso(NOW - timedelta(days=3)),
            position=len(article.text) // 3,
        )
    )
    assert kazakh.id is not None
    for start in (0, 200, 900):
        store.add_annotation(kazakh.id, make_anchor(article.text, start, start + 40))
    others = [
        ("[bold]Not bold[/] and [@click=app.quit]not a link[/]", 2, 45, "2 hours"),
        ("A very long title that goes on and on well past the width of its column", 20, 0, ""),
        ("", 30, 0, ""),
        ("Notes from the field — 日本語のタイトル", 1, 100, "40 days"),
    ]
    for n, (title, days, percent, read) in enumerate(others):
        text = f"{title or 'Untitled'}\n\n" + "Words of the body text. " * (50 + n * 40)
        ago = {"2 hours": timedelta(hours=2), "40 days": timedelta(days=40)}.get(read)
        store.add_document(
            Document(
                text=text,
                title=title,
                source=f"/home/reader/articles/{n}.md",
                format="markdown",
                imported=iso(NOW - timedelta(days=days)),
                last_read=iso(NOW - ago) if ago else "",
                position=len(text) * percent // 100,
            )
        )
    return store


def test_snapshot_of_the_library(snap_compare, sample: Path) -> None:  # type: ignore[no-untyped-def]
    app = SnapshotApp(filled_store(sample))

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        await pilot.pause()
        await pilot.press("j")

    assert snap_compare(app, terminal_size=(100, 30), run_before=before)
