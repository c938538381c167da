"""ArticleView mounted in a tiny app: keys, mouse, drawing, literal text, a big book, a snapshot."""

from __future__ import annotations

import asyncio
import functools
import os
import re
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from rich.style import Style
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.geometry import Offset
from textual.message import Message
from textual.selection import Selection

from tui.model import Annotation, Block, Document, Mark
from tui.ui.widgets.article import ArticleView

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


def sync(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (no async plugin is installed)."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]

    return run


_SENTENCE = re.compile(r"[^.!?\n]+(?:[.!?]+|$)")


def make_document(
    *blocks: tuple[str, str] | tuple[str, str, int] | tuple[str, str, int, str],
) -> Document:
    """A document from (kind, text[, level[, info]]) blocks joined by blank lines; sentences
    are split crudely inside each block."""
    text = ""
    spans: list[Block] = []
    sentences: list[tuple[int, int]] = []
    for spec in blocks:
        kind, body = spec[0], spec[1]
        level = spec[2] if len(spec) > 2 else 0  # type: ignore[misc]
        info = spec[3] if len(spec) > 3 else ""  # type: ignore[misc]
        if text:
            text += "\n\n"
        start = len(text)
        text += body
        spans.append(Block(kind, start, len(text), level, info))  # type: ignore[arg-type]
        for match in _SENTENCE.finditer(body):
            s, e = match.span()
            while s < e and body[s] == " ":
                s += 1
            if e > s:
                sentences.append((start + s, start + e))
    return Document(text=text, title="test", blocks=spans, sentences=sentences)


def paragraphs(count: int = 40, sentences: int = 4) -> Document:
    """Many paragraphs of numbered sentences, each sentence easy to find by its text."""
    return make_document(
        *(
            (
                "paragraph",
                " ".join(
                    f"Paragraph {p} sentence {s} tells a little more of the story."
                    for s in range(sentences)
                ),
            )
            for p in range(count)
        )
    )


def annotation(ident: int, start: int, end: int, color: str = "yellow", **kw: object) -> Annotation:
    return Annotation(ident, f"uuid-{ident}", 1, start, end, "", color=color, **kw)  # type: ignore[arg-type]


class ViewApp(App[None]):
    """One ArticleView filling the screen; every message it posts is kept."""

    BINDINGS = [Binding("escape", "app_escape", "Escape at the app")]

    def __init__(self, document: Document | None, annotations: list[Annotation] | None = None):
        super().__init__()
        self.document = document
        self.initial_annotations = annotations or []
        self.messages: list[Message] = []
        self.escapes = 0

    def compose(self) -> ComposeResult:
        yield ArticleView(self.document, annotations=self.initial_annotations, id="view")

    def on_article_view_cursor_moved(self, message: ArticleView.CursorMoved) -> None:
        self.messages.append(message)

    def on_article_view_selection_changed(self, message: ArticleView.SelectionChanged) -> None:
        self.messages.append(message)

    def on_article_view_position_changed(self, message: ArticleView.PositionChanged) -> None:
        self.messages.append(message)

    def on_article_view_annotation_reached(self, message: ArticleView.AnnotationReached) -> None:
        self.messages.append(message)

    def action_app_escape(self) -> None:
        self.escapes += 1

    def of(self, kind: type[Message]) -> list[Message]:
        return [m for m in self.messages if isinstance(m, kind)]


def rows(view: ArticleView) -> list[str]:
    """The text on screen, one string per row, trailing spaces removed."""
    return [view.render_line(y).text.rstrip() for y in range(view.scrollable_content_region.height)]


def cells(view: ArticleView, y: int) -> list[tuple[str, Style]]:
    """(character, style) of each character drawn on screen row `y`."""
    return [(char, segment.style) for segment in view.render_line(y) for char in segment.text]


def screen_row_of(view: ArticleView, offset: int) -> int:
    return view.position_of(offset).y - int(view.scroll_y)


def sentence_start(document: Document, needle: str) -> int:
    return document.text.index(needle)


async def settle(pilot) -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.pause()


# ---------------------------------------------------------------------------------- keys


@sync
async def test_j_down_k_up_move_by_sentence() -> None:
    document = paragraphs(3)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        assert view.cursor == document.sentences[0][0]
        await pilot.press("j")
        assert view.cursor == document.sentences[1][0]
        await pilot.press("down")
        assert view.cursor == document.sentences[2][0]
        await pilot.press("k")
        assert view.cursor == document.sentences[1][0]
        await pilot.press("up", "up")
        assert view.cursor == document.sentences[0][0]
        await settle(pilot)
        moved = app.of(ArticleView.CursorMoved)
        assert [m.offset for m in moved] == [  # type: ignore[attr-defined]
            document.sentences[i][0] for i in (1, 2, 1, 0)
        ]
        assert moved[0].sentence_span == document.sentences[1]  # type: ignore[attr-defined]


@sync
async def test_cursor_sentence_is_highlighted_and_only_its_rows_repaint() -> None:
    document = paragraphs(3)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await settle(pilot)
        cursor_bg = view.get_component_rich_style("article-view--cursor").bgcolor
        first = document.sentences[0]
        row = screen_row_of(view, first[0])
        styles = cells(view, row)
        x = view.position_of(first[0]).x
        assert styles[x][1].bgcolor == cursor_bg
        second_x = view.position_of(document.sentences[1][0]).x
        assert styles[second_x][1].bgcolor != cursor_bg
        view._dirty_regions.clear()
        view.action_next_sentence()
        dirty_rows = {y for region in view._dirty_regions for y in range(region.y, region.bottom)}
        assert dirty_rows and len(dirty_rows) <= 4  # the two sentences' rows, not the screen


@sync
async def test_paragraph_keys() -> None:
    document = paragraphs(4)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        starts = [block.start for block in document.blocks]
        await pilot.press("}")
        assert view.cursor == starts[1]
        await pilot.press("}", "}")
        assert view.cursor == starts[3]
        await pilot.press("}")  # no paragraph after the last one
        assert view.cursor == starts[3]
        await pilot.press("j", "j")
        await pilot.press("{")  # back to the start of this paragraph
        assert view.cursor == starts[3]
        await pilot.press("{")  # already there: the previous one
        assert view.cursor == starts[2]


@sync
async def test_page_down_and_up_scroll_a_screen_and_the_cursor_follows() -> None:
    document = paragraphs(40)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        height = view.scrollable_content_region.height
        await pilot.press("space")
        assert view.scroll_y == height - 2
        # The cursor is on the first sentence that starts in view.
        top = view.offset_at(0, int(view.scroll_y))
        assert view.cursor == min(s for s, _ in document.sentences if s >= top)
        await pilot.press("pagedown")
        assert view.scroll_y == 2 * (height - 2)
        await pilot.press("b")
        assert view.scroll_y == height - 2
        await pilot.press("pageup")
        assert view.scroll_y == 0
        assert view.cursor == document.sentences[0][0]


@sync
async def test_top_and_bottom() -> None:
    document = paragraphs(40)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("G")
        await settle(pilot)
        assert view.cursor == document.sentences[-1][0]
        assert view.scroll_y == view.max_scroll_y > 0
        assert "Paragraph 39 sentence 3" in rows(view)[-1] or any(
            "Paragraph 39 sentence 3" in row for row in rows(view)[-3:]
        )
        await pilot.press("home")
        assert view.scroll_y == 0 and view.cursor == 0
        await pilot.press("end")
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("g")
        assert view.scroll_y == 0


@sync
async def test_the_view_scrolls_only_when_the_cursor_leaves_it() -> None:
    document = paragraphs(40)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        height = view.scrollable_content_region.height
        for _ in range(40):
            before = view.scroll_y
            await pilot.press("j")
            start, end = view.sentence_span
            first_row = view.position_of(start).y
            last_row = view.position_of(end - 1).y
            top = int(view.scroll_y)
            assert top <= first_row and last_row < top + height  # always in view
            if view.scroll_y != before:
                # It scrolled just enough: the sentence ends on the last row.
                assert last_row == top + height - 1
        assert view.scroll_y > 0
        # Back up within the screen: no scrolling until the cursor reaches the top.
        scrolled = view.scroll_y
        for _ in range(5):
            await pilot.press("k")
            assert view.scroll_y == scrolled


@sync
async def test_keys_can_be_remapped_by_binding_id() -> None:
    ids = {binding.id for binding in ArticleView.BINDINGS if isinstance(binding, Binding)}
    assert {
        "article.next_sentence",
        "article.previous_sentence",
        "article.next_paragraph",
        "article.previous_paragraph",
        "article.page_down",
        "article.page_up",
        "article.top",
        "article.bottom",
        "article.toggle_selection",
        "article.grow_selection",
        "article.shrink_selection",
        "article.clear_selection",
        "article.next_annotation",
        "article.previous_annotation",
    } <= ids
    assert all(b.tooltip for b in ArticleView.BINDINGS if isinstance(b, Binding))
    document = paragraphs(2)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        app.set_keymap({"article.next_sentence": "n"})
        view = app.query_one(ArticleView)
        await pilot.press("n")
        assert view.cursor == document.sentences[1][0]
        await pilot.press("j")  # no longer bound
        assert view.cursor == document.sentences[1][0]


# ---------------------------------------------------------------------------------- selection


@sync
async def test_v_selects_sentences_and_moves_extend_it() -> None:
    document = paragraphs(3)
    sentences = document.sentences
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("j", "v")
        assert view.selection == sentences[1]
        await pilot.press("j", "j")
        assert view.selection == (sentences[1][0], sentences[3][1])
        await pilot.press("k", "k", "k")  # back past the anchor: now it reaches backwards
        assert view.selection == (sentences[0][0], sentences[1][1])
        await settle(pilot)
        # The screen knows it too, so its copy command copies the passage.
        expected = document.text[sentences[0][0] : sentences[1][1]]
        assert app.screen.get_selected_text() == expected
        await pilot.press("escape")
        assert view.selection is None
        await settle(pilot)
        spans = [m.span for m in app.of(ArticleView.SelectionChanged)]  # type: ignore[attr-defined]
        assert spans[0] == sentences[1] and spans[-1] is None
        assert app.escapes == 0
        await pilot.press("escape")  # nothing selected: the key goes on to the app
        assert app.escapes == 1


@sync
async def test_v_twice_drops_the_selection() -> None:
    app = ViewApp(paragraphs(2))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("v")
        assert view.selection is not None
        await pilot.press("v")
        assert view.selection is None


@sync
async def test_shift_arrows_move_the_selection_end_by_words() -> None:
    document = make_document(("paragraph", "One two  three, four. Five six."))
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("shift+right")
        assert view.selection == (0, 3)
        await pilot.press("shift+right", "shift+right")
        assert document.text[slice(*view.selection)] == "One two  three,"  # type: ignore[misc]
        await pilot.press("shift+left")
        assert document.text[slice(*view.selection)] == "One two"  # type: ignore[misc]
        await pilot.press("shift+left", "shift+left")  # never shrinks to nothing
        assert document.text[slice(*view.selection)] == "One"  # type: ignore[misc]
        await pilot.press("v")  # drop it, then start from a sentence and grow by a word
        await pilot.press("v", "shift+right")
        assert document.text[slice(*view.selection)] == "One two  three, four. Five"  # type: ignore[misc]


@sync
async def test_mouse_drag_selects_text_and_click_places_the_cursor() -> None:
    document = make_document(
        ("paragraph", "First sentence here. Second one follows."),
        ("paragraph", "Another paragraph with 日本語 text. And more."),
    )
    app = ViewApp(document)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(ArticleView)
        await settle(pilot)
        start = document.text.index("sentence here")
        end = document.text.index("日本語") + 3
        a, b = view.position_of(start), view.position_of(end - 1)
        await pilot.mouse_down(ArticleView, offset=(a.x, a.y))
        await pilot.hover(ArticleView, offset=(b.x, b.y))
        await pilot.mouse_up(ArticleView, offset=(b.x, b.y))
        await settle(pilot)
        # Textual's drag includes the character under the pointer (here a wide one).
        assert view.selection == (start, end)
        assert app.screen.get_selected_text() == document.text[start:end]
        assert app.of(ArticleView.SelectionChanged)[-1].span == (start, end)  # type: ignore[attr-defined]
        # Clicking drops the selection and puts the cursor on the sentence clicked.
        target = document.text.index("And more")
        point = view.position_of(target + 2)
        await pilot.click(ArticleView, offset=(point.x, point.y))
        await settle(pilot)
        assert view.selection is None
        assert view.cursor == target


@sync
async def test_a_drag_takes_whole_clusters_placeholders_and_tabs() -> None:
    text = "Cafe\u0301 au\tlait \x1b[0m and 👨\u200d👩\u200d👧 end."
    document = make_document(("paragraph", text))
    app = ViewApp(document)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(ArticleView)
        await settle(pilot)
        for last, end in (
            (text.index("e\u0301"), text.index("e\u0301") + 2),
            (text.index("\t"), text.index("\t") + 1),
            (text.index("\x1b"), text.index("\x1b") + 1),
            (text.index("👨"), text.index(" end")),
        ):
            a, b = view.position_of(0), view.position_of(last)
            await pilot.mouse_down(ArticleView, offset=(a.x, a.y))
            await pilot.hover(ArticleView, offset=(b.x, b.y))
            await pilot.mouse_up(ArticleView, offset=(b.x, b.y))
            await settle(pilot)
            assert view.selection == (0, end), repr(text[last:end])


@sync
async def test_double_click_selects_a_word_and_triple_click_a_sentence() -> None:
    document = make_document(("paragraph", "Some café words here. Next sentence, friend."))
    text = document.text
    app = ViewApp(document)
    async with app.run_test(size=(60, 10)) as pilot:
        view = app.query_one(ArticleView)
        await settle(pilot)
        point = view.position_of(text.index("café") + 2)
        await pilot.double_click(ArticleView, offset=(point.x, point.y))
        await settle(pilot)
        assert view.selection == (text.index("café"), text.index("café") + 4)
        point = view.position_of(text.index("sentence"))
        await pilot.triple_click(ArticleView, offset=(point.x, point.y))
        await settle(pilot)
        assert view.selection == document.sentences[1]


@sync
async def test_selection_from_textual_offsets_and_select_all() -> None:
    document = paragraphs(3)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await settle(pilot)
        # The way Textual does it: offsets read from the strips' metadata under the pointer.
        start, end = document.sentences[1]
        a, b = view.position_of(start), view.position_of(end - 1)
        first = app.screen.get_widget_and_offset_at(a.x, a.y - int(view.scroll_y))[1]
        last = app.screen.get_widget_and_offset_at(b.x, b.y - int(view.scroll_y))[1]
        assert first is not None and last is not None
        app.screen.selections = {view: Selection.from_offsets(first, last + Offset(1, 0))}
        await settle(pilot)
        assert view.selection == (start, end)
        app.screen.selections = {view: Selection(None, None)}
        await settle(pilot)
        assert view.selection == (0, len(document.text))
        assert app.screen.get_selected_text() == document.text


# ---------------------------------------------------------------------------------- highlights


@sync
async def test_highlights_are_drawn_in_their_cells_and_the_later_wins() -> None:
    document = make_document(("paragraph", "Alpha beta gamma delta epsilon zeta."))
    text = document.text
    yellow = annotation(1, text.index("beta"), text.index("delta") + 5, "yellow")
    blue = annotation(2, text.index("gamma"), text.index("epsilon") + 7, "blue")
    orphan = annotation(3, 0, 5, "green", status="orphan")
    app = ViewApp(document, [yellow, blue, orphan])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        view.cursor = len(text)  # keep the cursor's shading off the line being checked
        view.reading_width = 80
        await settle(pilot)
        y_bg = view.get_component_rich_style("article-view--yellow").bgcolor
        b_bg = view.get_component_rich_style("article-view--blue").bgcolor
        g_bg = view.get_component_rich_style("article-view--green").bgcolor
        assert len({y_bg, b_bg, g_bg}) == 3
        line = cells(view, 0)
        margin = view.position_of(0).x
        bgs = [style.bgcolor for _, style in line[margin : margin + len(text)]]
        for i, bg in enumerate(bgs):
            if blue.start <= i < blue.end:
                assert bg == b_bg, i  # later in the list wins where they overlap
            elif yellow.start <= i < yellow.end:
                assert bg == y_bg, i
            else:
                assert bg not in (y_bg, b_bg, g_bg), i  # the orphan is not drawn


@sync
async def test_a_thousand_highlights_each_in_place() -> None:
    document = paragraphs(30)
    anns = [annotation(i, s, e, "pink") for i, (s, e) in enumerate(document.sentences[::2])]
    app = ViewApp(document, anns)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        view.cursor = len(document.text)
        await settle(pilot)
        await pilot.press("g")
        pink = view.get_component_rich_style("article-view--pink").bgcolor
        for a in anns[:4]:
            point = view.position_of(a.start + 1)
            assert cells(view, point.y - int(view.scroll_y))[point.x][1].bgcolor == pink


@sync
async def test_matches_are_drawn_apart_and_the_current_one_stronger() -> None:
    document = make_document(("paragraph", "find me here, and find me there."))
    text = document.text
    first = (text.index("find"), text.index("find") + 4)
    second = (text.rindex("find"), text.rindex("find") + 4)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        view.matches = [first, second]
        view.current_match = 1
        await settle(pilot)
        match = view.get_component_rich_style("article-view--match").bgcolor
        current = view.get_component_rich_style("article-view--match-current").bgcolor
        assert match != current
        margin = view.position_of(0).x
        line = cells(view, 0)
        assert line[margin + first[0]][1].bgcolor == match
        assert line[margin + second[0]][1].bgcolor == current
        assert line[margin + second[0]][1].bold
        assert line[margin + first[1]][1].bgcolor not in (match, current)


@sync
async def test_next_and_previous_annotation() -> None:
    document = paragraphs(30)
    text = document.text
    inside = text.index("Paragraph 12 sentence 1")
    anns = [
        annotation(1, text.index("Paragraph 3 sentence 2"), text.index("Paragraph 3 sentence 3")),
        annotation(2, inside + 10, inside + 20),
        annotation(3, inside + 30, inside + 40, "green"),  # same sentence as the one before
        annotation(4, text.index("Paragraph 25"), text.index("Paragraph 25") + 9),
    ]
    app = ViewApp(document, anns)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("]")
        assert view.cursor == anns[0].start
        await pilot.press("]")
        assert view.cursor == inside
        assert view.reached_annotation is anns[1]
        await pilot.press("]")  # the next one is in the same sentence: still reached
        assert view.cursor == inside and view.reached_annotation is anns[2]
        await pilot.press("]")
        assert view.reached_annotation is anns[3]
        start, end = view.sentence_span
        top = int(view.scroll_y)
        assert top <= view.position_of(start).y < top + view.scrollable_content_region.height
        await pilot.press("]")  # nothing after the last one
        assert view.reached_annotation is anns[3]
        await pilot.press("[", "[")
        assert view.reached_annotation is anns[1]
        await settle(pilot)
        reached = [m.annotation for m in app.of(ArticleView.AnnotationReached)]  # type: ignore[attr-defined]
        assert reached == [anns[0], anns[1], anns[2], anns[3], anns[2], anns[1]]
        # The reached highlight is drawn underlined; moving away forgets it.
        point = view.position_of(anns[1].start)
        assert cells(view, point.y - int(view.scroll_y))[point.x][1].underline
        await pilot.press("j")
        assert view.reached_annotation is None


@sync
async def test_a_highlight_deep_in_a_long_sentence_is_brought_into_view() -> None:
    body = " ".join(f"clause {i} runs on" for i in range(600)) + "."
    document = make_document(("paragraph", body))
    start = document.text.index("clause 500 ")
    app = ViewApp(document, [annotation(1, start, start + 10)])
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("]")
        assert view.reached_annotation is not None
        assert 0 <= screen_row_of(view, start) < view.scrollable_content_region.height


@sync
async def test_goto_and_scroll_to_offset() -> None:
    document = paragraphs(60)
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        target = document.text.index("Paragraph 45 sentence 2")
        view.goto(target + 5)
        await settle(pilot)
        assert view.cursor == target
        row = screen_row_of(view, target)
        assert 0 <= row < view.scrollable_content_region.height
        other = document.text.index("Paragraph 20 sentence 0")
        view.scroll_to_offset(other)
        await settle(pilot)
        assert screen_row_of(view, other) == 0
        assert view.cursor == target  # scrolling alone leaves the cursor
        position = app.of(ArticleView.PositionChanged)[-1]
        assert position.top_offset == other  # type: ignore[attr-defined]
        assert 0 < position.fraction < 1  # type: ignore[attr-defined]


class RestoringApp(ViewApp):
    """Asks for a position before the view has ever been laid out, as a screen restoring
    the saved reading position would."""

    def __init__(self, document: Document, offset: int, how: str) -> None:
        super().__init__(document)
        self.offset = offset
        self.how = how

    def on_mount(self) -> None:
        view = self.query_one(ArticleView)
        if self.how == "goto":
            view.goto(self.offset)
        else:
            view.scroll_to_offset(self.offset)


@sync
async def test_goto_and_scroll_before_the_view_has_a_size() -> None:
    document = paragraphs(60)
    target = document.text.index("Paragraph 33 sentence 1")
    for how in ("goto", "scroll"):
        app = RestoringApp(document, target, how)
        async with app.run_test(size=(80, 24)) as pilot:
            view = app.query_one(ArticleView)
            await settle(pilot)
            row = screen_row_of(view, target)
            if how == "goto":
                assert view.cursor == target and 0 <= row < 24
            else:
                assert row == 0


@sync
async def test_changing_the_reading_width_keeps_the_position() -> None:
    document = paragraphs(60)
    target = document.text.index("Paragraph 40 sentence 0")
    app = ViewApp(document)
    async with app.run_test(size=(100, 24)) as pilot:
        view = app.query_one(ArticleView)
        view.scroll_to_offset(target)
        await settle(pilot)
        view.reading_width = 50
        await settle(pilot)
        assert screen_row_of(view, target) == 0
        assert max(len(row.strip()) for row in rows(view)) <= 50


@sync
async def test_position_changes_are_posted_once_per_key() -> None:
    app = ViewApp(paragraphs(60))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.messages.clear()
        await pilot.press("space")
        await settle(pilot)
        assert len(app.of(ArticleView.PositionChanged)) == 1
        assert len(app.of(ArticleView.CursorMoved)) == 1
        app.messages.clear()
        await pilot.press("G")
        await settle(pilot)
        (position,) = app.of(ArticleView.PositionChanged)
        assert position.fraction == 1.0  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------- drawing


STRUCTURED = make_document(
    ("heading", "Margin [bold]test[/] document", 1),
    (
        "paragraph",
        "Plain prose with emphasis, strong words, inline code and a link. A second sentence "
        "makes this paragraph wrap onto another row of the view.",
    ),
    ("heading", "Lists and quotes", 2),
    (
        "list_item",
        "A bullet item long enough to wrap, showing the hanging indent of lists.",
        1,
        "-",
    ),
    ("list_item", "A nested item.", 2, "*"),
    ("list_item", "A numbered item.", 1, "2."),
    (
        "quote",
        "A quoted passage, set off by a bar at its left, long enough to wrap to a second row.",
        1,
    ),
    ("heading", "Third level", 3),
    ("code", "def f(x):\n\treturn x  # a code line long enough that it has to wrap at the edge", 0),
    ("rule", ""),
    (
        "paragraph",
        "Hostile: \x1b[31mred\x1b[0m, NUL\x00, \u202eevil\u202c, 日本語 and 👨\u200d👩\u200d👧.",
    ),
    ("paragraph", "Markup stays text: [@click=app.quit]quit[/] and [b]bold[/b]."),
)


def _marks(document: Document) -> Document:
    text = document.text
    marks = [
        Mark("emphasis", text.index("emphasis"), text.index("emphasis") + 8),
        Mark("strong", text.index("strong words"), text.index("strong words") + 12),
        Mark("code", text.index("inline code"), text.index("inline code") + 11),
        Mark("link", text.index("a link"), text.index("a link") + 6, "https://example.org"),
    ]
    return Document(
        text=text,
        title=document.title,
        blocks=document.blocks,
        marks=marks,
        sentences=document.sentences,
    )


STRUCTURED = _marks(STRUCTURED)


def style_at(view: ArticleView, offset: int) -> Style:
    point = view.position_of(offset)
    return cells(view, point.y - int(view.scroll_y))[point.x][1]


@sync
async def test_structure_is_drawn() -> None:
    document = STRUCTURED
    text = document.text
    app = ViewApp(document)
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.query_one(ArticleView)
        view.cursor = len(text)
        await settle(pilot)
        screen = rows(view)
        joined = "\n".join(screen)
        # Heading 1 is bold and underlined by a rule of its own width; heading 2 too.
        assert screen[0].strip() == "Margin [bold]test[/] document"
        assert set(screen[1].strip()) == {"━"} and len(screen[1].strip()) == len(screen[0].strip())
        assert style_at(view, 0).bold
        h2 = text.index("Lists and quotes")
        assert set(screen[view.position_of(h2).y + 1].strip()) == {"─"}
        # Inline marks.
        assert style_at(view, text.index("emphasis")).italic
        assert style_at(view, text.index("strong words")).bold
        assert style_at(view, text.index("a link")).underline
        code_bg = view.get_component_rich_style("article-view--code").bgcolor
        assert style_at(view, text.index("inline code")).bgcolor == code_bg
        assert not style_at(view, text.index("Plain")).italic
        # Lists: marker from the block, hanging indent, nesting.
        bullet = view.position_of(text.index("A bullet"))
        assert screen[bullet.y].lstrip().startswith("• A bullet")
        assert screen[bullet.y + 1].startswith(" " * bullet.x)  # continuation under the text
        assert "◦ A nested item." in joined
        assert "2. A numbered item." in joined
        # Quotes: a bar on every row.
        quote = view.position_of(text.index("A quoted"))
        assert screen[quote.y].lstrip().startswith("▎ A quoted")
        assert screen[quote.y + 1].lstrip().startswith("▎ ")
        # Code: tabs expanded, long line wrapped, on a panel background.
        code = view.position_of(text.index("def f"))
        assert screen[code.y + 1].strip().startswith("return x")
        panel = view.get_component_rich_style("article-view--code-block").bgcolor
        assert style_at(view, text.index("def f")).bgcolor == panel
        assert style_at(view, text.index("return")).bgcolor == panel
        # The rule.
        assert any(set(row.strip()) == {"─"} and len(row.strip()) > 40 for row in screen)


@sync
async def test_markup_and_escapes_are_shown_literally_and_stay_inert() -> None:
    document = STRUCTURED
    text = document.text
    app = ViewApp(document)
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.query_one(ArticleView)
        await settle(pilot)
        joined = "\n".join(rows(view))
        assert "Margin [bold]test[/] document" in joined
        assert "[@click=app.quit]quit[/] and [b]bold[/b]." in joined
        assert "␛[31mred␛[0m, NUL␀, <RLO>evil<PDF>" in joined
        assert "\x1b" not in joined and "\x00" not in joined and "\u202e" not in joined
        # "[b]bold[/b]" is not made bold, and clicking the fake action does nothing.
        assert not style_at(view, text.index("bold[/b]")).bold
        placeholder = style_at(view, text.index("\x1b"))
        assert placeholder.dim
        point = view.position_of(text.index("quit[/]"))
        await pilot.click(ArticleView, offset=(point.x, point.y - int(view.scroll_y)))
        await settle(pilot)
        assert app.is_running
        # The placeholders map back to the control characters themselves.
        escape = text.index("\x1b")
        assert view.offset_at(view.position_of(escape).x, view.position_of(escape).y) == escape


@sync
async def test_every_offset_maps_to_a_cell_and_back() -> None:
    document = STRUCTURED
    text = document.text
    app = ViewApp(document)
    async with app.run_test(size=(70, 30)) as pilot:
        view = app.query_one(ArticleView)
        await settle(pilot)
        blocks = [b for b in document.blocks if b.kind != "rule"]
        for block in blocks:
            for offset in range(block.start, block.end + 1):
                point = view.position_of(offset)
                back = view.offset_at(point.x, point.y)
                # Back at the start of the same grapheme (or tab, or placeholder), drawn in the
                # same cell; a plain character maps back to itself.
                assert back <= offset < back + 8, (offset, point, back)
                assert view.position_of(back) == point
                if offset < len(text) and text[offset].isascii() and text[offset - 1].isascii():
                    assert back == offset, (offset, point, back)


@sync
async def test_reading_width_limits_the_text_column() -> None:
    document = paragraphs(5)
    app = ViewApp(document)
    async with app.run_test(size=(120, 30)) as pilot:
        view = app.query_one(ArticleView)
        view.reading_width = 40
        await settle(pilot)
        text_rows = [row.strip() for row in rows(view) if row.strip()]
        assert text_rows and max(len(row) for row in text_rows) <= 40
        margin = view.position_of(0).x
        assert margin == (view.scrollable_content_region.width - 40) // 2


@sync
async def test_resize_keeps_the_reading_position() -> None:
    document = paragraphs(80)
    app = ViewApp(document)
    async with app.run_test(size=(100, 30)) as pilot:
        view = app.query_one(ArticleView)
        target = document.text.index("Paragraph 50 sentence 0")
        view.scroll_to_offset(target)
        await settle(pilot)
        await pilot.resize_terminal(60, 30)
        await settle(pilot)
        top = view.offset_at(0, int(view.scroll_y))
        assert abs(top - target) < 60
        assert "Paragraph 50 sentence 0" in "".join(rows(view)[:2])


@sync
async def test_scrolling_up_over_estimated_rows_moves_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No idle refinement: the rows above stay estimates until the view walks over them.
    monkeypatch.setattr(ArticleView, "_refine_step", lambda self: None)
    # Paragraphs of very different shapes make the height estimates wrong.
    document = make_document(
        *(
            ("paragraph", ("word " * (5 + (i * 37) % 90)).strip() + f" end{i}.")
            if i % 3
            else ("paragraph", "\n".join(f"short line {i}.{j}" for j in range(i % 7 + 1)))
            for i in range(200)
        )
    )
    app = ViewApp(document)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("G")
        await settle(pilot)
        assert not all(view._exact)  # the test needs estimated heights above
        for _ in range(40):
            before = rows(view)
            view.scroll_y = view.scroll_y - 1  # what the mouse wheel does
            await settle(pilot)
            after = rows(view)
            assert after[1:] == before[:-1]
        for _ in range(5):
            before = rows(view)
            await pilot.press("b")
            after = rows(view)
            height = view.scrollable_content_region.height
            assert after[height - 2 :] == before[:2]  # a page up keeps two rows


@sync
async def test_documents_without_structure_or_text() -> None:
    plain = Document(text="One para.\nStill one.\n\n\nTwo para. Yes.", title="plain")
    app = ViewApp(plain)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        assert rows(view)[:4] == ["One para.", "Still one.", "", "Two para. Yes."] or [
            row.strip() for row in rows(view)[:4]
        ] == ["One para.", "Still one.", "", "Two para. Yes."]
        await pilot.press("j")  # without sentences, blocks are the sentences
        assert view.cursor == plain.text.index("Two")
    for empty in (Document(text="", title="empty"), None):
        app = ViewApp(empty)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press(
                "j", "k", "space", "b", "G", "g", "v", "}", "{", "]", "[", "shift+right"
            )
            view = app.query_one(ArticleView)
            assert view.selection is None
            assert all(row == "" for row in rows(view))


@sync
async def test_a_new_document_resets_the_view() -> None:
    app = ViewApp(paragraphs(40))
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(ArticleView)
        await pilot.press("G", "v")
        view.document = paragraphs(5, 2)
        await settle(pilot)
        assert view.scroll_y == 0 and view.cursor == 0 and view.selection is None
        assert rows(view)[0].strip().startswith("Paragraph 0 sentence 0")


# ---------------------------------------------------------------------------------- big book


def _book(shared_dir: Path | None) -> Document:
    path = (shared_dir or Path()) / "corpus" / "texts" / "pg2600-war-and-peace-en.txt"
    if shared_dir is not None and path.is_file():
        text = path.read_text(encoding="utf-8")
    else:  # a stand-in of the same size
        text = "\n\n".join(
            f"Paragraph {i}. " + "Some words of a long book go on and on. " * 8 for i in range(8000)
        )
    blocks = [
        Block("paragraph", m.start(), m.end())
        for m in re.finditer(r"[^\n]*\S[^\n]*(?:\n[^\n]*\S[^\n]*)*", text)
    ]
    sentences = [m.span() for m in re.finditer(r"[^.!?\s][^.!?]*(?:[.!?]+|$)", text)]
    return Document(text=text, title="book", blocks=blocks, sentences=sentences)


@sync
async def test_a_3mb_book_opens_at_once_and_moves(shared: Path) -> None:
    document = _book(shared)
    assert len(document.text) > 3_000_000
    started = time.perf_counter()
    app = ViewApp(document)
    async with app.run_test(size=(100, 40)) as pilot:
        view = app.query_one(ArticleView)
        first = rows(view)
        opened = time.perf_counter() - started
        print(f"\n3 MB book: first rows drawn {opened * 1000:.0f} ms after the app started")
        assert any("Project Gutenberg" in row for row in first[:4])
        await pilot.press("G")
        await settle(pilot)
        assert view.cursor == document.sentences[-1][0]
        assert view.scroll_y == view.max_scroll_y
        await pilot.press("g", "space", "j", "]")
        assert view.scroll_y > 0


# ---------------------------------------------------------------------------------- snapshot


def test_snapshot_of_a_structured_document(snap_compare) -> None:  # type: ignore[no-untyped-def]
    text = STRUCTURED.text
    anns = [
        annotation(1, text.index("Plain prose"), text.index("strong words") + 6, "yellow"),
        annotation(2, text.index("A quoted"), text.index("set off"), "green"),
        annotation(3, text.index("nested"), text.index("nested") + 6, "purple"),
    ]
    app = ViewApp(STRUCTURED, anns)

    async def before(pilot) -> None:  # type: ignore[no-untyped-def]
        view = app.query_one(ArticleView)
        view.matches = [(text.index("wrap"), text.index("wrap") + 4)]
        view.current_match = 0
        await pilot.press("j", "v", "j")

    assert snap_compare(app, terminal_size=(100, 30), run_before=before)
