"""Make the screenshots in docs/: the reader on the sample article with a few annotations.

Run from the repository:  .venv/bin/python docs/make_screenshots.py

The store lives in a temporary folder and is thrown away; only the SVG files are written.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
SAMPLE = DOCS / "samples" / "fp-kazakhstan-trial.txt"
SIZE = (120, 36)

#: (quote, occurrence, tags, colour, note): the annotations shown in the screenshot.
ANNOTATIONS = [
    ("A high-profile conviction has renewed hope", 1, ["hope"], "yellow", ""),
    (
        "it captivated the public and mobilized many sectors of society",
        1,
        ["public", "hope"],
        "green",
        "Why a domestic-violence trial became political: the thesis in one line.",
    ),
    ("guilty of torturing and murdering Nukenova", 1, ["law"], "blue", ""),
]


def build_store(db: Path) -> int:
    """Import the sample (cleaned) into `db` and annotate it; returns the document id."""
    from tui.anchoring import make_anchor
    from tui.library import import_file
    from tui.store import Store

    store = Store(db)
    try:
        doc_id = import_file(store, SAMPLE, clean=True).document_id
        text = store.get_document(doc_id).text
        for quote, occurrence, tags, color, note in ANNOTATIONS:
            start = -1
            for _ in range(occurrence):
                start = text.index(quote, start + 1)
            anchor = make_anchor(text, start, start + len(quote))
            store.add_annotation(doc_id, anchor, tags=tags, color=color, note=note)
        return doc_id
    finally:
        store.close()


async def reader_screenshot(db: Path, doc_id: int, out: Path) -> None:
    """Open the reader, move to the noted passage, and save the screen as SVG."""
    from tui.config import Config
    from tui.ui.app import make_app

    app = make_app(db, document_id=doc_id, config=Config())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        for key in ("j", "j", "}", "}", "j"):
            await pilot.press(key)
        await pilot.pause()
        app.save_screenshot(filename=out.name, path=str(out.parent))
    app.store.close()


def main() -> None:
    """Write docs/screenshot-reader.svg."""
    os.environ["TEXTUAL_ANIMATIONS"] = "none"
    sys.path.insert(0, str(REPO))
    out = DOCS / "screenshot-reader.svg"
    with tempfile.TemporaryDirectory(prefix="margin-shots-") as tmp:
        db = Path(tmp) / "annotations.db"
        doc_id = build_store(db)
        asyncio.run(reader_screenshot(db, doc_id, out))
    print(f"wrote {out.relative_to(REPO)}")


if __name__ == "__main__":
    main()
