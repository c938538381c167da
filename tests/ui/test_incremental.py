"""The panes' in-place updates after one change end where a full rebuild would.

After each action on one annotation the reader hands the article view and the sidebar only
that change (`change_annotation`); a random run of adds, changes and deletes is compared, step
by step, with views built afresh from the same list.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import replace

from textual.app import App, ComposeResult

from tests.ui.test_article_view import paragraphs
from tui.model import COLORS, Annotation
from tui.ui.widgets.article import ArticleView
from tui.ui.widgets.sidebar import Sidebar

STATUSES = ["anchored", "anchored", "anchored", "moved", "orphan"]


def drawn_colors(view: ArticleView, length: int) -> list[int | None]:
    """For each offset, the colour index drawn there (the highlight drawn last wins)."""
    best: list[tuple[int, int] | None] = [None] * length
    spans = [
        item for item in view._highlights.overlapping(0, length) if item[2][2] not in view._hidden
    ]
    spans += list(view._extra.values())
    for s, e, (order, color, _id) in spans:
        for i in range(s, e):
            if best[i] is None or order > best[i][0]:  # type: ignore[index]
                best[i] = (order, color)
    return [b[1] if b else None for b in best]


class Pair(App[None]):
    def __init__(self, document, annotations):  # type: ignore[no-untyped-def]
        super().__init__()
        self.document = document
        self.list = annotations

    def compose(self) -> ComposeResult:
        yield ArticleView(self.document, annotations=self.list, id="a")
        yield ArticleView(self.document, annotations=list(self.list), id="b")
        yield Sidebar(id="sa")
        yield Sidebar(id="sb")


def test_random_changes_match_a_full_rebuild() -> None:
    asyncio.run(_random_changes())


async def _random_changes() -> None:
    rng = random.Random(11)
    document = paragraphs(30)
    length = len(document.text)

    def make(ident: int) -> Annotation:
        start = rng.randrange(length - 50)
        return Annotation(
            ident,
            f"u{ident}",
            1,
            start,
            start + rng.randrange(0, 120),
            "x",
            color=rng.choice(COLORS),
            status=rng.choice(STATUSES),  # type: ignore[arg-type]
            tags=rng.sample(["a", "b", "c"], rng.randrange(0, 3)),
        )

    annotations = [make(i) for i in range(1, 60)]
    app = Pair(document, annotations)
    async with app.run_test(size=(100, 40)) as pilot:
        live, fresh = app.query_one("#a", ArticleView), app.query_one("#b", ArticleView)
        side, side_fresh = app.query_one("#sa", Sidebar), app.query_one("#sb", Sidebar)
        side.annotations = annotations
        next_id = 100
        for step in range(400):
            roll = rng.random()
            old: Annotation | None = None
            new: Annotation | None = None
            if roll < 0.4 or not annotations:
                new = make(next_id)
                next_id += 1
            elif roll < 0.7:
                old = rng.choice(annotations)
                new = replace(old, color=rng.choice(COLORS), tags=["changed"])
            else:
                old = rng.choice(annotations)
            # As the reader does: the changed one leaves the list and comes back at its end.
            if old is not None:
                annotations.remove(old)
            if new is not None:
                annotations.append(new)
            live.change_annotation(old, new)
            side.change_annotation(old, new)
            fresh.annotations = list(annotations)
            side_fresh.annotations = list(annotations)
            assert [a.id for a in live._placed] == [a.id for a in fresh._placed], step
            assert live._annotation_starts == fresh._annotation_starts, step
            assert drawn_colors(live, length) == drawn_colors(fresh, length), step
            assert side.annotation_ids() == side_fresh.annotation_ids(), step
            assert [e.kind for e in side.entries] == [e.kind for e in side_fresh.entries], step
            assert side._row_of == side_fresh._row_of, step
            assert str(side.border_title) == str(side_fresh.border_title), step
            if step % 50 == 0:
                await pilot.pause()
