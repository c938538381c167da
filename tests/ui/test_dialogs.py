"""The reader's dialogs pushed by a tiny app: what they return, what they call, what they show."""

from __future__ import annotations

import asyncio
import functools
import os
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.app import App
from textual.binding import Binding
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, RadioButton, SelectionList

from tui.model import Tag
from tui.ui.dialogs import (
    ExportDialog,
    ExportRequest,
    HelpScreen,
    NoteEditor,
    TagPicker,
    UnsavedChanges,
    bindings_help,
)
from tui.ui.dialogs.export import ALL_STEM, slug
from tui.ui.dialogs.help import format_key
from tui.ui.dialogs.note import excerpt
from tui.ui.dialogs.tags import clean_name, rank_tags

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


def sync(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test in its own event loop (no async plugin is installed)."""

    @functools.wraps(test)
    def run(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]

    return run


class DialogApp(App[None]):
    """Pushes one dialog at start and keeps every result it dismisses with."""

    # The command palette's priority Ctrl+P would shadow the tag picker's Ctrl+P (see report).
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, make: Callable[[], Screen[object]]) -> None:
        super().__init__()
        self.make = make
        self.results: list[object] = []
        self.dialog: Screen[object] | None = None

    def on_mount(self) -> None:
        self.dialog = self.make()
        self.push_screen(self.dialog, self.results.append)


def screen_text(app: App[object]) -> str:
    """What the terminal shows, as plain text, one line per row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def type_text(pilot: Pilot[object], text: str) -> None:
    """Type `text` key by key; newlines are Enter."""
    await pilot.press(*("enter" if ch == "\n" else ch for ch in text))


MARKUP = "[bold]not bold[/] [@click=app.quit]inert[/]"

# -- NoteEditor -----------------------------------------------------------------------------


def note_app(
    note: str = "", *, quote: str = "The court sentenced the minister.", **kwargs: object
) -> tuple[DialogApp, list[str]]:
    saved: list[str] = []
    app = DialogApp(lambda: NoteEditor(note, quote=quote, save=saved.append, **kwargs))  # type: ignore[arg-type]
    return app, saved


@sync
async def test_ctrl_s_saves_typed_multiline_text_with_literal_markup() -> None:
    app, saved = note_app("First.")
    async with app.run_test(size=(100, 30)) as pilot:
        await type_text(pilot, "\nSecond line " + MARKUP)
        await pilot.press("ctrl+s")
        await pilot.pause()
        expected = "First.\nSecond line " + MARKUP
        assert saved == [expected]
        assert app.results == [expected]
        assert not isinstance(app.screen, NoteEditor)
        assert app.is_running  # [@click=app.quit] stayed text


@sync
async def test_note_and_quote_show_literally() -> None:
    quote = "A [b]bold[/b] claim\nand [@click=app.quit]a link[/] \x1b[31m"
    app, _ = note_app(MARKUP, quote=quote)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "[b]bold[/b] claim and [@click=app.quit]a link[/]" in shown  # one line
        assert "\u241b[31m" in shown  # ESC as a visible placeholder
        assert MARKUP in shown
        await pilot.click("#note-quote")
        assert app.is_running


@sync
async def test_escape_without_changes_dismisses_none_without_saving() -> None:
    app, saved = note_app("Unchanged note")
    async with app.run_test() as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert saved == []


@sync
async def test_escape_after_undoing_changes_asks_nothing() -> None:
    app, saved = note_app("abc")
    async with app.run_test() as pilot:
        await pilot.press("x", "backspace", "escape")
        await pilot.pause()
        assert app.results == [None]
        assert saved == []


@sync
async def test_escape_with_changes_then_save() -> None:
    app, saved = note_app("Draft")
    async with app.run_test() as pilot:
        await type_text(pilot, " more")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, UnsavedChanges)
        assert "Save changes? [s]ave / [d]iscard / [c]ontinue editing" in screen_text(app)
        await pilot.press("s")
        await pilot.pause()
        assert saved == ["Draft more"]
        assert app.results == ["Draft more"]


@sync
async def test_escape_with_changes_then_discard() -> None:
    app, saved = note_app("Draft")
    async with app.run_test() as pilot:
        await type_text(pilot, " more")
        await pilot.press("escape", "d")
        await pilot.pause()
        assert saved == []
        assert app.results == [None]
        assert not isinstance(app.screen, NoteEditor | UnsavedChanges)


@pytest.mark.parametrize("key", ["c", "escape"])
@sync
async def test_escape_with_changes_then_continue_keeps_the_text(key: str) -> None:
    app, saved = note_app("Draft")
    async with app.run_test() as pilot:
        await type_text(pilot, " more")
        await pilot.press("escape", key)
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        assert editor.text == "Draft more" and editor.dirty
        assert app.results == [] and saved == []
        # Typing goes on where it left off, into the text area.
        await type_text(pilot, "!")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert saved == ["Draft more!"]


@sync
async def test_unsaved_question_buttons() -> None:
    app, saved = note_app("Draft")
    async with app.run_test() as pilot:
        await type_text(pilot, "!")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.click("#unsaved-continue")
        await pilot.pause()
        assert isinstance(app.screen, NoteEditor)
        await pilot.press("escape")
        await pilot.pause()
        # Enter on the default button saves: a reflexive Enter never discards.
        await pilot.press("enter")
        await pilot.pause()
        assert saved == ["Draft!"]
        assert app.results == ["Draft!"]


@sync
async def test_flush_saves_only_when_dirty() -> None:
    app, saved = note_app("Draft")
    async with app.run_test() as pilot:
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        assert editor.flush() is False
        assert saved == []
        await type_text(pilot, "!")
        assert editor.dirty
        assert editor.flush() is True
        assert saved == ["Draft!"]
        assert not editor.dirty
        assert editor.flush() is False
        assert saved == ["Draft!"]
        # The note was saved, so closing reports the saved text without asking.
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == ["Draft!"]


def test_flush_works_before_the_editor_is_mounted() -> None:
    saved: list[str] = []
    editor = NoteEditor("x", quote="q", save=saved.append)
    assert not editor.dirty
    assert editor.flush() is False
    assert saved == []


@sync
async def test_failed_save_keeps_the_editor_open_with_the_text() -> None:
    calls: list[str] = []

    def failing(text: str) -> None:
        calls.append(text)
        raise OSError("database is locked")

    app = DialogApp(lambda: NoteEditor("Draft", quote="q", save=failing))
    async with app.run_test() as pilot:
        await type_text(pilot, "!")
        await pilot.press("ctrl+s")
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, NoteEditor)
        assert calls == ["Draft!"]
        assert editor.dirty and editor.text == "Draft!"
        assert "Not saved: database is locked" in screen_text(app)
        assert app.results == []
        with pytest.raises(OSError):
            editor.flush()  # the exit path hears about it too
        assert editor.dirty


@sync
async def test_autosave_after_idle_saves_changes_once() -> None:
    app, saved = note_app("Draft", autosave=0.05)
    async with app.run_test() as pilot:
        await pilot.pause(0.2)
        assert saved == []  # nothing typed, nothing saved
        await type_text(pilot, "!")
        await pilot.pause(0.3)
        assert saved == ["Draft!"]
        await pilot.pause(0.2)
        assert saved == ["Draft!"]
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == ["Draft!"]  # the screen must refresh what autosave stored


def test_excerpt_flattens_and_cuts() -> None:
    assert excerpt("a\n\n b\tc") == "a b c"
    long = excerpt("word " * 200, limit=20)
    assert len(long) == 20 and long.endswith("…")
    assert excerpt("x\x00y") == "x\u2400y"


# -- TagPicker ------------------------------------------------------------------------------

TAGS = [
    Tag(1, "report", key=2, count=3),
    Tag(2, "power-transfer", key=1, count=12),
    Tag(3, "corruption", count=7),
    Tag(4, "[red]x", count=1),
    Tag(5, "protest", count=2),
    Tag(6, "[@click=app.quit]boom", count=0),
]


def names(tags_query: str) -> list[str]:
    return [m.tag.name for m in rank_tags(TAGS, tags_query)]


def test_empty_query_lists_quick_keys_first_then_most_used() -> None:
    assert names("") == [
        "power-transfer",
        "report",
        "corruption",
        "protest",
        "[red]x",
        "[@click=app.quit]boom",
    ]


def test_fuzzy_order() -> None:
    # Word starts score higher: "prt" is p-r-otes-t and p-ower-t(r)ansfer before re-p-o-r-t.
    ranked = names("prt")
    assert ranked.index("protest") < ranked.index("power-transfer") < ranked.index("report")
    assert "corruption" not in ranked  # no r after its p: letters must come in order
    assert names("port")[0] == "report"  # a whole substring wins
    assert names("zzz") == []
    assert names("#REP")[0] == "report"  # case-insensitive, leading '#' ignored


def test_clean_name() -> None:
    assert clean_name("  ##New Tag  ") == "New Tag"
    assert clean_name("#") == ""


def picker_app(applied: tuple[str, ...] = ()) -> DialogApp:
    return DialogApp(lambda: TagPicker(TAGS, applied=applied))


@sync
async def test_typing_filters_and_offers_to_create() -> None:
    app = picker_app()
    async with app.run_test() as pilot:
        await type_text(pilot, "prt")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, TagPicker)
        rows = picker.rows
        assert rows[0] == ("create", "prt")
        listed = [name for kind, name in rows[1:]]
        assert listed.index("power-transfer") < listed.index("report")
        assert "Create tag “prt”" in screen_text(app)
        await pilot.press("down", "down")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [listed[1]]


@sync
async def test_start_of_an_existing_tag_picks_it_not_a_near_duplicate() -> None:
    app = picker_app()
    async with app.run_test() as pilot:
        await type_text(pilot, "Repo")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, TagPicker)
        assert picker.rows[0] == ("create", "Repo")  # creating stays one key away
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["report"]


@sync
async def test_pick_existing_tag_by_exact_name_ignores_case() -> None:
    app = picker_app()
    async with app.run_test() as pilot:
        await type_text(pilot, "REPORT")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, TagPicker)
        assert picker.rows[0] == ("tag", "report")  # no "Create" row for a known name
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["report"]


@sync
async def test_create_new_tag_strips_and_drops_hash() -> None:
    app = picker_app()
    async with app.run_test() as pilot:
        await type_text(pilot, "  #Field notes ")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["Field notes"]


@sync
async def test_escape_cancels_the_picker() -> None:
    app = picker_app()
    async with app.run_test() as pilot:
        await type_text(pilot, "rep")
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


@sync
async def test_ctrl_n_and_ctrl_p_move_and_enter_picks() -> None:
    app = picker_app()
    async with app.run_test() as pilot:
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+p", "down", "up")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["report"]  # second row of the empty-query list


@sync
async def test_enter_on_an_empty_list_does_nothing() -> None:
    app = DialogApp(lambda: TagPicker([]))
    async with app.run_test() as pilot:
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, TagPicker)
        assert app.results == []


@sync
async def test_rows_show_key_mark_count_and_literal_names() -> None:
    app = picker_app(applied=("report",))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        lines = screen_text(app).splitlines()
        (report,) = [line for line in lines if " report " in line]
        assert "2  ✓  report" in report and report.rstrip(" █").endswith(" 3")
        (power,) = [line for line in lines if "power-transfer" in line]
        assert "1     power-transfer" in power and "✓" not in power
        assert any("[red]x" in line for line in lines)
        assert any("[@click=app.quit]boom" in line for line in lines)
        await type_text(pilot, "red")
        await pilot.pause()
        assert "[red]x" in screen_text(app)  # still literal with matched letters styled
        await pilot.click("#tags-list", offset=(4, 1))
        await pilot.pause()
        assert app.is_running


# -- ExportDialog ---------------------------------------------------------------------------

TITLE = "Kazakhstan: the trial of Bishimbayev"


def export_app(tmp_path: Path, *, has_document: bool = True) -> DialogApp:
    return DialogApp(
        lambda: ExportDialog(
            document_title=TITLE, tags=TAGS[:3], default_dir=tmp_path, has_document=has_document
        )
    )


def path_value(app: App[object]) -> str:
    return app.screen.query_one("#export-path", Input).value


async def set_path(pilot: Pilot[object], value: str) -> None:
    field = pilot.app.screen.query_one("#export-path", Input)
    field.value = value
    await pilot.pause()


def test_slug() -> None:
    assert slug(TITLE) == "kazakhstan-the-trial-of-bishimbayev"
    assert slug("Суд в Казахстане: итоги") == "суд-в-казахстане-итоги"
    assert slug("  ../../etc/passwd  ") == "etc-passwd"
    assert slug("???") == "annotations"
    assert len(slug("x" * 500)) == 60


@sync
async def test_default_path_and_export_button(tmp_path: Path) -> None:
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert path_value(app) == str(tmp_path / "kazakhstan-the-trial-of-bishimbayev.md")
        await pilot.click("#export-file")
        await pilot.pause()
        assert app.results == [
            ExportRequest(
                "md", "document", (), tmp_path / "kazakhstan-the-trial-of-bishimbayev.md", False
            )
        ]


@sync
async def test_format_switch_follows_suffix_until_the_path_is_edited(tmp_path: Path) -> None:
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#format-csv")
        await pilot.pause()
        assert path_value(app).endswith("kazakhstan-the-trial-of-bishimbayev.csv")
        await pilot.click("#format-json")
        await pilot.pause()
        assert path_value(app).endswith(".json")
        await set_path(pilot, str(tmp_path / "mine.txt"))
        await pilot.click("#format-md")
        await pilot.pause()
        assert path_value(app) == str(tmp_path / "mine.txt")
        await pilot.click("#export-file")
        await pilot.pause()
        (request,) = app.results
        assert isinstance(request, ExportRequest)
        assert request.fmt == "md" and request.path == tmp_path / "mine.txt"


@sync
async def test_scope_and_tags_reach_the_request(tmp_path: Path) -> None:
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#scope-all")
        await pilot.pause()
        assert path_value(app) == str(tmp_path / f"{ALL_STEM}.md")
        # Keyboard: focus the tag list, tick the third and the first tag.
        tags = app.screen.query_one("#export-tags", SelectionList)
        tags.focus()
        await pilot.press("down", "down", "space", "up", "up", "space")
        await pilot.pause()
        await pilot.click("#export-copy")
        await pilot.pause()
        assert app.results == [ExportRequest("md", "all", ("report", "corruption"), None, False)]


@sync
async def test_existing_file_needs_confirmation(tmp_path: Path) -> None:
    target = tmp_path / "kazakhstan-the-trial-of-bishimbayev.md"
    target.write_text("old", encoding="utf-8")
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#export-file")
        await pilot.pause()
        assert app.results == []
        assert "already exists" in screen_text(app)
        assert "Overwrite" in screen_text(app)
        # Button ignores presses for 0.2 s after one, which also keeps a double Enter from
        # confirming by accident.
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [ExportRequest("md", "document", (), target, True)]
        assert target.read_text(encoding="utf-8") == "old"  # the dialog writes nothing


@sync
async def test_changing_the_path_withdraws_the_overwrite_question(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("old", encoding="utf-8")
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await set_path(pilot, "a.md")  # relative to default_dir
        await pilot.click("#export-file")
        await pilot.pause()
        assert "already exists" in screen_text(app)
        await set_path(pilot, "b.md")
        assert "already exists" not in screen_text(app)
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == [ExportRequest("md", "document", (), tmp_path / "b.md", False)]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("missing/x.md", "does not exist"),
        ("", "Type a file name"),
        (".", "is a folder"),
    ],
)
@sync
async def test_bad_paths_are_refused_inline(tmp_path: Path, value: str, message: str) -> None:
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await set_path(pilot, value)
        await pilot.click("#export-file")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        assert app.results == []
        assert message in screen_text(app)


@sync
async def test_keyboard_only_tab_order_enter_and_escape(tmp_path: Path) -> None:
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        chain = [w.id for w in app.screen.focus_chain]
        assert chain == [
            "export-format",
            "export-scope",
            "export-tags",
            "export-path",
            "export-file",
            "export-copy",
            "export-cancel",
        ]
        assert app.screen.focused is not None and app.screen.focused.id == "export-format"
        # Right arrow then Enter chooses JSON inside the format set.
        await pilot.press("right", "enter")
        await pilot.pause()
        assert path_value(app).endswith(".json")
        await pilot.press("tab", "tab", "tab", "tab")
        await pilot.pause()
        assert app.screen.focused is not None and app.screen.focused.id == "export-file"
        await pilot.press("enter")
        await pilot.pause()
        (request,) = app.results
        assert isinstance(request, ExportRequest) and request.fmt == "json"
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


@sync
async def test_enter_in_the_path_field_exports(tmp_path: Path) -> None:
    app = export_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one("#export-path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        (request,) = app.results
        assert isinstance(request, ExportRequest) and request.path is not None


@sync
async def test_without_a_document_only_all_documents(tmp_path: Path) -> None:
    app = export_app(tmp_path, has_document=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#scope-document", RadioButton).disabled
        assert path_value(app) == str(tmp_path / f"{ALL_STEM}.md")
        await pilot.click("#export-copy")
        await pilot.pause()
        (request,) = app.results
        assert isinstance(request, ExportRequest) and request.scope == "all"


@sync
async def test_export_shows_tag_names_and_title_literally(tmp_path: Path) -> None:
    app = DialogApp(
        lambda: ExportDialog(document_title="[b]Bold[/b]", tags=TAGS[3:4], default_dir=tmp_path)
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "This document ([b]Bold[/b])" in shown
        assert "[red]x (1)" in shown


# -- help -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("ctrl+s", "Ctrl+S"),
        ("shift+right", "Shift+→"),
        ("pagedown", "PgDn"),
        ("pageup", "PgUp"),
        ("space", "Space"),
        ("question_mark", "?"),
        ("?", "?"),
        ("G", "G"),
        ("g", "g"),
        ("escape", "Esc"),
        ("enter", "Enter"),
        ("slash", "/"),
        ("full_stop", "."),
        ("left_square_bracket", "["),
        ("ctrl+shift+left", "Ctrl+Shift+←"),
        ("f1", "F1"),
        ("comma", "Comma"),
        ("alt+x", "Alt+X"),
    ],
)
def test_format_key(key: str, shown: str) -> None:
    assert format_key(key) == shown


HELP_BINDINGS = [
    Binding("j,down", "next_sentence", "Next sentence", id="article.next"),
    Binding("space", "page_down", "Page down", id="article.page"),
    Binding("pagedown", "page_down", "Page down (again)"),  # same action: merged
    Binding("v", "select", "Start selection", id="article.select"),
    Binding("h", "highlight", "Highlight", id="article.highlight"),
    Binding("question_mark", "help", "Keys"),
    Binding("x", "internal", ""),  # nothing to say: left out
    Binding("ctrl+e", "export", "[b]Export[/b]", id="reader.export"),
]
HELP_GROUPS = {
    "article.next": "Move",
    "article.page": "Move",
    "article.select": "Select",
    "article.highlight": "Annotate",
}


def test_bindings_help_groups_merges_and_applies_the_keymap() -> None:
    keymap = {"article.highlight": "ctrl+h,H", "unknown.id": "z"}
    sections = bindings_help(HELP_BINDINGS, keymap, HELP_GROUPS)
    assert sections == [
        ("Move", [("j, ↓", "Next sentence"), ("Space, PgDn", "Page down")]),
        ("Select", [("v", "Start selection")]),
        ("Annotate", [("Ctrl+H, H", "Highlight")]),
        ("Other", [("?", "Keys"), ("Ctrl+E", "[b]Export[/b]")]),
    ]


def test_bindings_help_merges_by_id_and_reads_real_bindings() -> None:
    # Real bindings of the dialogs: Escape, q and ? all close the help, as one row.
    sections = bindings_help(HelpScreen.BINDINGS, {}, {"help.close": "Other"})  # type: ignore[arg-type]
    assert sections == [("Other", [("Esc, q, ?", "Close help")])]
    split = [
        Binding("a", "one", "One", id="same"),
        Binding("b", "two", "Two", id="same"),
        Binding("a", "one", "One", id="same"),
    ]
    assert bindings_help(split, {}, {}) == [("Other", [("a, b", "One")])]
    # A key_display is used unless the keymap overrides the binding.
    shown = Binding("ctrl+s", "save", "Save", id="note.save", key_display="^S")
    assert bindings_help([shown], {}, {}) == [("Other", [("^S", "Save")])]
    assert bindings_help([shown], {"note.save": "ctrl+w"}, {}) == [("Other", [("Ctrl+W", "Save")])]


@sync
async def test_help_screen_shows_overridden_keys_and_closes() -> None:
    keymap = {"article.highlight": "ctrl+h"}
    sections = bindings_help(HELP_BINDINGS, keymap, HELP_GROUPS)
    for key in ("escape", "q", "question_mark"):
        app = DialogApp(lambda: HelpScreen(sections))
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            shown = screen_text(app)
            assert "Ctrl+H" in shown and "Highlight" in shown
            assert not any(line.strip(" █").startswith("h ") for line in shown.splitlines())
            assert "[b]Export[/b]" in shown  # descriptions are text too
            assert shown.index("Move") < shown.index("Select") < shown.index("Annotate")
            await pilot.press(key)
            await pilot.pause()
            assert app.results == [None]
            assert not isinstance(app.screen, HelpScreen)


@sync
async def test_help_scrolls_when_long() -> None:
    sections = [("Many", [(f"k{i}", f"Action {i}") for i in range(80)])]
    app = DialogApp(lambda: HelpScreen(sections))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "Action 79" not in screen_text(app)
        await pilot.press("end")
        await pilot.pause()
        assert "Action 79" in screen_text(app)


def test_help_screen_and_note_bindings_have_ids_and_tooltips() -> None:
    for screen in (NoteEditor, UnsavedChanges, TagPicker, ExportDialog, HelpScreen):
        for binding in screen.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.id and binding.tooltip, (screen.__name__, binding)
