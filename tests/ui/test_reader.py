"""The reader screen through the pilot, on a real database file: every flow checked in the store.

Each test imports the bundled sample into a fresh SQLite file, opens `MarginApp` on it at
120x40, presses keys as a person would, and then reads the store (not only the screen) to see
what was saved.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tui.config import Config
from tui.library import import_file
from tui.model import Document, Resolution
from tui.store import Store
from tui.ui.app import MarginApp
from tui.ui.dialogs.export import ExportDialog
from tui.ui.dialogs.help import HelpScreen
from tui.ui.dialogs.note import NoteEditor
from tui.ui.dialogs.tags import TagPicker
from tui.ui.screens.library import DocumentTable, LibraryScreen
from tui.ui.screens.reader import ReaderScreen
from tui.ui.widgets.article import ArticleView

SIZE = (120, 40)
HOSTILE = "Plain start. [bold]x[/] and [@click=app.quit]click me[/] here \x1b[31mred\x1b[0m end."


def sync(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (no async plugin is installed)."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]

    return run


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the test's database file lives."""
    return tmp_path / "annotations.db"


@pytest.fixture
def store(db: Path) -> Store:
    """A store on a real file, holding the imported sample."""
    return Store(db)


@pytest.fixture
def doc_id(store: Store, sample: Path) -> int:
    """The id of the sample article, imported through `import_file` as `margin import` does."""
    return import_file(store, sample).document_id


def reader_app(store: Store, doc_id: int | None, config: Config | None = None) -> MarginApp:
    return MarginApp(store, document_id=doc_id, config=config)


def reader(app: MarginApp) -> ReaderScreen:
    screen = app.screen
    assert isinstance(screen, ReaderScreen), type(screen)
    return screen


async def keys(pilot: Pilot[None], *names: str) -> None:
    """Press keys one by one, letting the app settle after each."""
    for name in names:
        await pilot.press(name)
        await pilot.pause()


def sentence(app: MarginApp) -> str:
    """The text of the sentence under the article cursor."""
    screen = reader(app)
    start, end = screen.view.sentence_span
    return screen.document.text[start:end]


def row_text(view: ArticleView, y: int) -> str:
    """The characters on row `y` of the article view (relative to the top of the view)."""
    return "".join(segment.text for segment in view.render_line(y))


# ---------------------------------------------------------------------------------- highlight


@sync
async def test_h_highlights_the_sentence_at_the_cursor(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "j")
        start, end = reader(app).view.sentence_span
        await keys(pilot, "h")
        anns = store.annotations_for(doc_id)
        assert len(anns) == 1
        text = store.get_document(doc_id).text
        assert (anns[0].start, anns[0].end) == (start, end)
        assert anns[0].exact == text[start:end].strip() or anns[0].exact == text[start:end]
        assert anns[0].status == "anchored"

        # h again on the same sentence does not make a second highlight.
        await keys(pilot, "h")
        assert len(store.annotations_for(doc_id)) == 1


@sync
async def test_v_j_h_highlights_two_sentences(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j")
        view = reader(app).view
        first = view.sentence_span
        await keys(pilot, "v", "j")
        second = view.sentence_span
        assert view.selection == (first[0], second[1])
        await keys(pilot, "h")
        assert view.selection is None
        (ann,) = store.annotations_for(doc_id)
        text = store.get_document(doc_id).text
        assert ann.start == first[0]
        assert ann.end == second[1]
        assert ann.exact == text[ann.start : ann.end]
        assert text[first[0] : first[1]].strip() in ann.exact
        assert text[second[0] : second[1]].strip() in ann.exact

        # The same selection again is not highlighted twice.
        await keys(pilot, "k", "v", "j", "h")
        assert len(store.annotations_for(doc_id)) == 1


@sync
async def test_c_cycles_the_colour(store: Store, doc_id: int) -> None:
    from tui.model import COLORS

    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "h")
        (ann,) = store.annotations_for(doc_id)
        seen = [ann.color]
        for _ in COLORS:
            await keys(pilot, "c")
            seen.append(store.get_annotation(ann.id).color)
        assert seen[: len(COLORS)] == [
            COLORS[(COLORS.index(ann.color) + i) % len(COLORS)] for i in range(len(COLORS))
        ]
        assert seen[-1] == seen[0]  # back where it started after a full cycle
        assert len(store.annotations_for(doc_id)) == 1


@sync
async def test_c_without_a_highlight_changes_nothing(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "c")
        assert store.annotations_for(doc_id) == []


# ---------------------------------------------------------------------------------- tags


@sync
async def test_tag_picker_creates_and_applies_tags(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "j", "t")
        assert isinstance(app.screen, TagPicker)
        await pilot.press(*"evidence")
        await keys(pilot, "enter")
        assert isinstance(app.screen, ReaderScreen)
        (tag,) = store.list_tags()
        assert (tag.name, tag.key, tag.count) == ("evidence", 1, 1)
        (ann,) = store.annotations_for(doc_id)
        assert ann.tags == ["evidence"]

        # t + an existing name on another sentence: no new tag, applied there.
        await keys(pilot, "j", "j", "t")
        await pilot.press(*"Evidence")
        await keys(pilot, "enter")
        assert [t.name for t in store.list_tags()] == ["evidence"]
        anns = store.annotations_for(doc_id)
        assert len(anns) == 2
        assert all(a.tags == ["evidence"] for a in anns)

        # t then a second new name on the same highlight adds it (quick key 2).
        await keys(pilot, "t")
        await pilot.press(*"quote")
        await keys(pilot, "enter")
        assert {t.name: t.key for t in store.list_tags()} == {"evidence": 1, "quote": 2}
        current = reader(app).annotation_at_cursor()
        assert current is not None
        assert store.get_annotation(current.id).tags == ["evidence", "quote"]

        # The start of an existing tag highlights that tag, so Enter does not make a near-duplicate.
        await keys(pilot, "j", "j", "t")
        await pilot.press(*"quo")
        await keys(pilot, "enter")
        assert len(store.list_tags()) == 2
        current = reader(app).annotation_at_cursor()
        assert current is not None
        assert store.get_annotation(current.id).tags == ["quote"]

        # Escape in the picker changes nothing.
        await keys(pilot, "t")
        await pilot.press(*"nothing")
        await keys(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)
        assert len(store.list_tags()) == 2


@sync
async def test_quick_key_tags_and_toggles(store: Store, doc_id: int) -> None:
    store.ensure_tag("claim")
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "j", "j", "1")
        (ann,) = store.annotations_for(doc_id)
        assert ann.tags == ["claim"]
        assert (ann.start, ann.end) == reader(app).view.sentence_span

        await keys(pilot, "1")
        (again,) = store.annotations_for(doc_id)
        assert again.id == ann.id
        assert again.tags == []  # toggled off; the highlight stays

        await keys(pilot, "1")
        assert store.get_annotation(ann.id).tags == ["claim"]

        # A key with no tag changes nothing.
        await keys(pilot, "2")
        assert store.get_annotation(ann.id).tags == ["claim"]
        assert len(store.annotations_for(doc_id)) == 1


# ---------------------------------------------------------------------------------- notes


@sync
async def test_note_is_saved_exactly(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "a")
        assert isinstance(app.screen, NoteEditor)
        # One highlight was made for the note to go on.
        assert len(store.annotations_for(doc_id)) == 1
        area = app.screen.query_one(TextArea)
        for char in "first line [bold]x[/]":
            await pilot.press(char if char != " " else "space")
        await pilot.press("enter")
        for char in "second q line":
            await pilot.press(char if char != " " else "space")
        await keys(pilot, "ctrl+s")
        assert isinstance(app.screen, ReaderScreen)
        (ann,) = store.annotations_for(doc_id)
        assert ann.note == "first line [bold]x[/]\nsecond q line"
        assert area.text == ann.note

        # a on the same highlight edits that note (no new highlight).
        await keys(pilot, "a", "end")
        await pilot.press("exclamation_mark")
        await keys(pilot, "ctrl+s")
        anns = store.annotations_for(doc_id)
        assert len(anns) == 1
        assert anns[0].note == "first line [bold]x[/]\nsecond q line!"


@sync
async def test_a_then_escape_without_a_note_leaves_no_empty_highlight(
    store: Store, doc_id: int
) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "a")
        assert isinstance(app.screen, NoteEditor)
        assert len(store.annotations_for(doc_id)) == 1
        await keys(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)
        assert store.annotations_for(doc_id) == []
        # On an existing highlight, an abandoned note keeps the highlight.
        await keys(pilot, "h", "a", "escape")
        assert len(store.annotations_for(doc_id)) == 1


@sync
async def test_quitting_with_the_editor_open_saves_the_draft(db: Path, doc_id: int) -> None:
    store = Store(db)
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "a")
        await pilot.press(*"draft")
        await pilot.press("q")  # typed into the note, not a quit
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await app.action_quit()
        await pilot.pause()
    assert app.return_code == 0
    (ann,) = Store(db).annotations_for(doc_id)
    assert ann.note == "draftq"


@sync
async def test_ctrl_q_with_the_editor_open_saves_the_draft(db: Path, doc_id: int) -> None:
    store = Store(db)
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "a")
        await pilot.press(*"kept")
        await pilot.press("ctrl+q")
        await pilot.pause()
    (ann,) = Store(db).annotations_for(doc_id)
    assert ann.note == "kept"


# ---------------------------------------------------------------------------------- undo


@sync
async def test_delete_undo_redo(store: Store, doc_id: int) -> None:
    store.ensure_tag("claim")
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "j", "1", "a")
        await pilot.press(*"why")
        await keys(pilot, "ctrl+s")
        (ann,) = store.annotations_for(doc_id)
        assert (ann.tags, ann.note) == (["claim"], "why")

        await keys(pilot, "d")
        assert store.annotations_for(doc_id) == []

        await keys(pilot, "u")
        (back,) = store.annotations_for(doc_id)
        assert back.uuid == ann.uuid
        assert (back.start, back.end, back.exact) == (ann.start, ann.end, ann.exact)
        assert (back.tags, back.note, back.color) == (["claim"], "why", ann.color)

        await keys(pilot, "ctrl+r")
        assert store.annotations_for(doc_id) == []

        # Undo all the way: note, tag, highlight go in turn.
        await keys(pilot, "u")
        assert store.annotations_for(doc_id)[0].note == "why"
        await keys(pilot, "u")
        assert store.annotations_for(doc_id)[0].note == ""
        await keys(pilot, "u")
        assert store.annotations_for(doc_id) == []
        await keys(pilot, "u")  # nothing left: no change, no crash
        assert store.annotations_for(doc_id) == []
        # Redo all the way back.
        await keys(pilot, "ctrl+r")
        (again,) = store.annotations_for(doc_id)
        assert (again.uuid, again.tags, again.note) == (ann.uuid, ["claim"], "")
        await keys(pilot, "ctrl+r")
        assert store.annotations_for(doc_id)[0].note == "why"


@sync
async def test_d_without_an_annotation_deletes_nothing(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "h", "j", "d")
        assert len(store.annotations_for(doc_id)) == 1


# ---------------------------------------------------------------------------------- search


@sync
async def test_search_finds_every_match_and_steps_through_them(store: Store, doc_id: int) -> None:
    word = "Bishimbayev"
    text = store.get_document(doc_id).text
    expected = []
    at = text.lower().find(word.lower())
    while at >= 0:
        expected.append(at)
        at = text.lower().find(word.lower(), at + 1)
    assert len(expected) > 3
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "slash")
        search = app.screen.query_one("#search", Input)
        assert search.has_focus
        await pilot.press(*word.lower())
        await pilot.pause()
        view = reader(app).view
        assert [s for s, _ in view.matches] == expected
        assert view.current_match == 0
        await keys(pilot, "enter")
        assert view.has_focus
        assert not search.has_class("-active")

        def on_match(index: int) -> None:
            start, end = view.sentence_span
            assert start <= expected[index] < end, (index, sentence(app))
            assert view.current_match == index

        on_match(0)
        for index in range(1, len(expected)):
            await keys(pilot, "n")
            on_match(index)
        await keys(pilot, "n")  # wraps round
        on_match(0)
        await keys(pilot, "N")
        on_match(len(expected) - 1)
        for index in range(len(expected) - 2, -1, -1):
            await keys(pilot, "N")
            on_match(index)
        # Nothing was written by searching.
        assert store.annotations_for(doc_id) == []


@sync
async def test_escape_in_the_search_bar_cancels(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j")
        view = reader(app).view
        origin = view.cursor
        await keys(pilot, "slash")
        await pilot.press(*"verdict")
        await pilot.pause()
        assert view.matches
        assert view.cursor != origin
        await keys(pilot, "escape")
        search = app.screen.query_one("#search", Input)
        assert not search.has_class("-active")
        assert search.value == ""
        assert view.matches == []
        assert view.cursor == origin
        assert view.has_focus
        assert isinstance(app.screen, ReaderScreen)  # escape did not close anything else


@sync
async def test_search_with_no_match_and_punctuation(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "slash")
        await pilot.press(*"zqx(")
        await pilot.pause()
        view = reader(app).view
        assert view.matches == []
        await keys(pilot, "enter", "n")
        assert isinstance(app.screen, ReaderScreen)


# ---------------------------------------------------------------------------------- export


@sync
async def test_export_dialog_writes_json(
    store: Store, doc_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    store.ensure_tag("claim")
    app = reader_app(store, doc_id)
    target = tmp_path / "out" / "export.json"
    target.parent.mkdir()
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "1", "j", "j", "h", "e")
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        await pilot.click("#format-json")
        await pilot.pause()
        assert dialog.fmt == "json"
        path_input = dialog.query_one("#export-path", Input)
        assert path_input.value.endswith(".json")
        path_input.value = str(target)
        await pilot.pause()
        await pilot.click("#export-file")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == 2
    items = data["first"]["items"]
    anns = sorted(store.annotations_for(doc_id), key=lambda a: a.start)
    assert all(a.uuid in item["id"] for a, item in zip(anns, items, strict=True))
    exact = [
        sel["exact"]
        for item in items
        for sel in item["target"]["selector"]
        if sel["type"] == "TextQuoteSelector"
    ]
    assert exact == [a.exact for a in anns]
    tagged = [
        b["value"] for item in items for b in item.get("body", []) if b["purpose"] == "tagging"
    ]
    assert tagged == ["claim"]


# ---------------------------------------------------------------------------------- library


@sync
async def test_o_shows_the_library_and_enter_opens_a_document(store: Store, doc_id: int) -> None:
    other = store.add_document(Document(text="Other text. Two sentences here.", title="Other"))
    assert other.id is not None
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "o")
        assert isinstance(app.screen, LibraryScreen)
        table = app.screen.query_one(DocumentTable)
        assert table.row_count == 2
        table.select_document(other.id)
        await keys(pilot, "enter")
        screen = reader(app)
        assert screen.document_id == other.id
        assert len(app.screen_stack) == 1  # this reader replaced the first one
        # o again and back to the sample.
        await keys(pilot, "o")
        app.screen.query_one(DocumentTable).select_document(doc_id)
        await keys(pilot, "enter")
        assert reader(app).document_id == doc_id
        await keys(pilot, "j", "h")
    assert len(store.annotations_for(doc_id)) == 1


@sync
async def test_escape_in_the_library_goes_back_to_the_reader(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "j", "h")
        view = reader(app).view
        cursor = view.cursor
        await keys(pilot, "o")
        assert isinstance(app.screen, LibraryScreen)
        await keys(pilot, "escape")
        screen = reader(app)
        assert screen.view.cursor == cursor
        await keys(pilot, "u")  # the undo history is still there
        assert store.annotations_for(doc_id) == []
        # Escape in the reader itself does not leave it.
        await keys(pilot, "escape")
        assert reader(app) is screen


@sync
async def test_reading_position_is_kept_when_another_document_is_opened(
    db: Path, doc_id: int
) -> None:
    store = Store(db)
    other = store.add_document(Document(text="Other text. Two sentences.", title="Other"))
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "space", "space")
        top = reader(app).view._top_offset()
        await keys(pilot, "o")
        app.screen.query_one(DocumentTable).select_document(other.id or 0)
        await keys(pilot, "enter")
        assert reader(app).document_id == other.id
        assert abs(Store(db).get_document(doc_id).position - top) <= 1


@sync
async def test_without_a_document_the_app_starts_in_the_library(store: Store, doc_id: int) -> None:
    app = reader_app(store, None)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await keys(pilot, "enter")
        assert reader(app).document_id == doc_id


# ---------------------------------------------------------------------------------- position


@sync
async def test_reading_position_is_restored(db: Path, doc_id: int) -> None:
    assert Store(db).get_document(doc_id).last_read == ""
    app = reader_app(Store(db), doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "space", "space", "space")
        view = reader(app).view
        saved_top = view._top_offset()
        assert saved_top > 0
        await keys(pilot, "q")
    doc = Store(db).get_document(doc_id)
    assert doc.last_read != ""
    assert abs(doc.position - saved_top) <= 1

    app = reader_app(Store(db), doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = reader(app).view
        assert abs(view._top_offset() - saved_top) <= 1
        start, end = view.sentence_span
        assert start <= view.cursor < end
        # The cursor's sentence is in view (it may begin above the top row).
        assert start <= view._bottom_offset()
        assert end >= view._top_offset()


# ---------------------------------------------------------------------------------- sidebar


@sync
async def test_sidebar_enter_jumps_to_the_annotation(store: Store, doc_id: int) -> None:
    from tui.anchoring import make_anchor

    text = store.get_document(doc_id).text
    far = text.index("More from")
    near = text.index("Over the past month")
    ann_far = store.add_annotation(doc_id, make_anchor(text, far, far + 9), tags=["later"])
    store.add_annotation(doc_id, make_anchor(text, near, near + 19), tags=["early"])
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()  # the annotations are read once the text is drawn
        screen = reader(app)
        sidebar = screen.sidebar
        assert len(sidebar.annotation_ids()) == 2
        sidebar.focus()
        await keys(pilot, "G", "enter")
        view = screen.view
        start, end = view.sentence_span
        assert start <= ann_far.start < end
        assert view.has_focus
        assert view._top_offset() <= ann_far.start <= view._bottom_offset()
        assert screen.annotation_at_cursor() is not None
        assert screen.annotation_at_cursor().id == ann_far.id  # type: ignore[union-attr]


@sync
async def test_f_filters_the_sidebar_by_tag(store: Store, doc_id: int) -> None:
    from tui.anchoring import make_anchor

    text = store.get_document(doc_id).text
    for n, tag in enumerate(["alpha", "beta", "alpha"]):
        at = 400 + n * 1000
        store.add_annotation(doc_id, make_anchor(text, at, at + 20), tags=[tag])
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        sidebar = reader(app).sidebar
        assert len(sidebar.annotation_ids()) == 3
        await keys(pilot, "f")
        assert isinstance(app.screen, TagPicker)
        await pilot.press(*"beta")
        await keys(pilot, "enter")
        assert sidebar.tag_filter == "beta"
        assert len(sidebar.annotation_ids()) == 1
        assert "#beta" in str(sidebar.border_title)
        await keys(pilot, "f")  # again: all shown
        assert sidebar.tag_filter is None
        assert len(sidebar.annotation_ids()) == 3


@sync
async def test_orphans_are_listed_apart(store: Store, doc_id: int) -> None:
    from tui.anchoring import make_anchor

    doc = store.get_document(doc_id)
    kept = store.add_annotation(doc_id, make_anchor(doc.text, 300, 330))
    lost = store.add_annotation(doc_id, make_anchor(doc.text, 600, 640), note="lost one")
    store.replace_text(doc, {lost.id: Resolution(status="orphan", start=None, end=None, score=0)})
    assert store.get_annotation(lost.id).status == "orphan"
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        sidebar = screen.sidebar
        ids = sidebar.annotation_ids()
        assert ids == [kept.id, lost.id]
        kinds = [e.kind for e in sidebar.entries]
        assert kinds == ["annotation", "header", "annotation"]
        assert "Unplaced (1)" in sidebar.entries[1].text
        # The orphan is not drawn in the text, and choosing it does not move the cursor.
        assert [a.id for a in screen.view.annotations if a.placed] == [kept.id]
        before = screen.view.cursor
        sidebar.focus()
        await keys(pilot, "G", "enter")
        assert screen.view.cursor == before
        assert "1 unplaced" in str(screen.query_one("#status").render())


# ---------------------------------------------------------------------------------- help


def help_rows(app: MarginApp) -> dict[str, str]:
    """The help screen's rows as {description: keys}."""
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return {desc: keys for _, rows in screen._sections for keys, desc in rows}


@sync
async def test_help_lists_keys_from_the_bindings(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app)
        for label in ("Highlight", "Next sentence", "Undo", "Find", "Quit"):
            assert label in rows
        assert "Highlight" in app.export_screenshot()
        assert rows["Highlight"] == "h"
        assert rows["Tag"] == "t"
        await keys(pilot, "escape")
        assert isinstance(app.screen, ReaderScreen)


@sync
async def test_keymap_override_works_and_shows_in_help(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id, Config(keymap={"reader.highlight": "x"}))
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "x")
        assert len(store.annotations_for(doc_id)) == 1
        await keys(pilot, "j", "h")  # h is no longer highlight
        assert len(store.annotations_for(doc_id)) == 1
        await keys(pilot, "question_mark")
        assert help_rows(app)["Highlight"] == "x"
        assert "Highlight" in app.export_screenshot()


# ---------------------------------------------------------------------------------- hostile


@sync
async def test_hostile_document_is_shown_literally(store: Store) -> None:
    doc = store.add_document(Document(text=HOSTILE, title="Hostile [b]title[/b]"))
    assert doc.id is not None
    app = reader_app(store, doc.id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = reader(app).view
        rows = "\n".join(row_text(view, y) for y in range(6))
        assert "[bold]x[/]" in rows
        assert "[@click=app.quit]click me[/]" in rows
        assert "\x1b" not in rows
        # Clicking on the would-be link does nothing.
        await keys(pilot, "j", "h", "enter")
        assert app.is_running
        assert isinstance(app.screen, ReaderScreen)
    (ann,) = store.annotations_for(doc.id)
    assert store.get_document(doc.id).text == HOSTILE


@sync
async def test_notifications_show_tag_names_literally(store: Store, doc_id: int) -> None:
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j", "t")
        await pilot.press(*"[red]x[/]")
        await keys(pilot, "enter")
        messages = [n.message for n in app._notifications]
        assert any("#[red]x[/]" in m for m in messages), messages
        assert all(not n.markup for n in app._notifications)
        (ann,) = store.annotations_for(doc_id)
        assert ann.tags == ["[red]x[/]"]


@sync
async def test_sidebar_filter_title_shows_the_tag_literally(store: Store, doc_id: int) -> None:
    from tui.anchoring import make_anchor

    text = store.get_document(doc_id).text
    start = text.index("Perhaps most importantly")
    store.add_annotation(doc_id, make_anchor(text, start, start + 24), tags=["[b]x[/b]"])
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        sidebar = reader(app).sidebar
        sidebar.tag_filter = "[b]x[/b]"
        await pilot.pause()
        from textual.content import Content

        # Textual keeps titles as markup; what it draws must be the tag as typed.
        assert "#[b]x[/b]" in Content.from_markup(str(sidebar.border_title)).plain
        assert len(sidebar.annotation_ids()) == 1


def test_overlapping_matches_a_scan_of_every_annotation(store: Store, doc_id: int) -> None:
    import random

    from tui.anchoring import make_anchor

    text = store.get_document(doc_id).text
    rng = random.Random(7)
    for _ in range(300):
        start = rng.randrange(len(text) - 400)
        store.add_annotation(doc_id, make_anchor(text, start, start + rng.randrange(1, 400)))
    screen = ReaderScreen(store, doc_id)
    everything = store.annotations_for(doc_id)
    for _ in range(500):
        start = rng.randrange(len(text))
        end = start + rng.randrange(1, 200)
        found = sorted(a.id for a in screen.overlapping(start, end))  # reads them on first use
        expected = sorted(a.id for a in everything if a.start < end and a.end > start)
        assert found == expected


# ---------------------------------------------------------------------------------- opening


@sync
async def test_annotations_are_read_after_the_text_is_drawn(store: Store, doc_id: int) -> None:
    """The text comes first; the annotations follow in the next frame, and anything that looks
    one up before then reads them at once (so an early key acts on the real annotations)."""
    from tui.anchoring import make_anchor

    text = store.get_document(doc_id).text
    first = store.add_annotation(doc_id, make_anchor(text, 0, 20), tags=["early"])
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        if not screen._annotations_loaded:  # not read yet: the panes say so, not "none"
            assert "reading annotations" in str(screen.query_one("#status").render())
            assert screen.sidebar.entries[0].text.startswith("Reading annotations")
        assert screen.overlapping(0, 1) == [first]  # read on demand
        await pilot.pause()
        assert screen._annotations_shown
        assert screen.sidebar.annotation_ids() == [first.id]
        assert "1 annotations" in str(screen.query_one("#status").render())
        assert "Annotations (1)" in str(screen.sidebar.border_title)


@sync
async def test_an_early_key_acts_on_the_stored_annotations(store: Store, doc_id: int) -> None:
    """`h` pressed before the annotations are shown finds the highlight that is there, rather
    than highlighting the sentence a second time."""
    from tui.anchoring import make_anchor

    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = reader(app)
        start, end = screen.view.sentence_span
        existing = store.add_annotation(
            doc_id, make_anchor(screen.document.text, start, end), tags=[]
        )
        screen._annotations_loaded = False  # as if the key came before the first frame was out
        screen._annotations_shown = False
        screen.action_highlight()
        await pilot.pause()
        assert [a.id for a in store.annotations_for(doc_id)] == [existing.id]


@sync
async def test_indexes_kept_in_place_match_a_fresh_read(store: Store, doc_id: int) -> None:
    """After highlights, tags, colour changes, deletes, undos and redos, the screen's own index
    (updated one annotation at a time) is the one a fresh read would build."""
    import random

    from tui.anchoring import make_anchor

    text = store.get_document(doc_id).text
    rng = random.Random(3)
    for _ in range(40):
        start = rng.randrange(len(text) - 300)
        store.add_annotation(doc_id, make_anchor(text, start, start + rng.randrange(1, 300)))
    store.ensure_tag("claim")
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = reader(app)
        for _ in range(30):
            await keys(pilot, *rng.choice([["j"], ["j", "h"], ["1"], ["c"], ["d"], ["u"]]))
            if rng.random() < 0.2:
                await keys(pilot, "ctrl+r")
        assert screen.undo_stack  # the run did change things
        stored = store.annotations_for(doc_id)
        fresh = ReaderScreen(store, doc_id)
        fresh._ensure_loaded()
        assert sorted(a.id for a in screen.annotations) == sorted(a.id for a in stored)
        placed = sorted((a.start, a.id) for a in screen._placed)
        assert placed == sorted((a.start, a.id) for a in fresh._placed)
        assert screen._starts == fresh._starts  # sorted, as bisection needs
        assert screen._by_id == fresh._by_id
        assert screen.sidebar.annotation_ids() == [
            a.id
            for a in sorted((a for a in stored if a.placed), key=lambda a: (a.start, a.end, a.id))
        ]
        assert [a.id for a in screen.view._placed] == [a.id for a in screen._placed]


@sync
async def test_search_ignores_accents_and_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text(
        "Natásha came in.\n\nThen Prince\nAndrew spoke to NATASHA about Kutúzov.\n",
        encoding="utf-8",
    )
    store = Store(tmp_path / "a.db")
    doc_id = import_file(store, path).document_id
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        view = reader(app).view
        text = reader(app).document.text
        await keys(pilot, "slash")
        await pilot.press(*"natasha")
        await pilot.pause()
        assert [text[s:e] for s, e in view.matches] == ["Natásha", "NATASHA"]
        await keys(pilot, "escape", "slash")
        await pilot.press(*"prince andrew")
        await pilot.pause()
        assert [text[s:e] for s, e in view.matches] == ["Prince\nAndrew"]


@sync
async def test_search_keys_typed_faster_than_frames(store: Store, doc_id: int) -> None:
    """The search runs after the frame that shows the typed text: Enter straight after typing
    still keeps the matches, and Esc straight after typing still cancels everything."""
    app = reader_app(store, doc_id)
    async with app.run_test(size=SIZE) as pilot:
        await keys(pilot, "j")
        view = reader(app).view
        origin = view.cursor
        await keys(pilot, "slash")
        await pilot.press(*"verdict", "enter")  # no pause between the keys
        await pilot.pause()
        assert view.matches and view.has_focus
        kept = list(view.matches)
        await keys(pilot, "g", "j")
        origin = view.cursor
        await keys(pilot, "slash")
        await pilot.press(*"court", "escape")
        await pilot.pause()
        await pilot.pause()
        assert view.matches == [] and view.cursor == origin
        assert kept
