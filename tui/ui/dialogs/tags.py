"""The tag picker: type to filter the codebook by fuzzy match, Enter to pick or create a tag.

`TagPicker` dismisses with a tag name (an existing tag's name, or a new name to create) or None.
Rows are built as `Content` from plain strings, so a tag named `[red]x` shows exactly that:
Textual's `Matcher.highlight` parses its candidate as markup, so it is not used here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.cells import cell_len
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.fuzzy import Matcher
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.model import Tag
from tui.textsafe import visible

__all__ = ["Match", "TagPicker", "clean_name", "rank_tags"]

#: Widest name column in the list; longer names push the count to the right.
NAME_COLUMN = 40

#: How matched characters are drawn in a tag's name.
MATCH_STYLE = "bold underline"


@dataclass(frozen=True, slots=True)
class Match:
    """One tag in the list with the offsets of its name's characters that matched the query."""

    tag: Tag
    offsets: tuple[int, ...] = ()


def clean_name(typed: str) -> str:
    """A typed tag name as it would be created: stripped, with leading '#' removed."""
    return typed.strip().lstrip("#").strip()


def _casefold_name(tag: Tag) -> str:
    return tag.name.casefold()


def rank_tags(tags: Sequence[Tag], query: str) -> list[Match]:
    """The tags matching `query` (fuzzy, case-insensitive), best first.

    With an empty query every tag is listed: quick-key tags by key, then the most used. With a
    query, tags are ordered by `textual.fuzzy` score (whole substrings and word starts score
    higher), then by usage count and name.
    """
    query = clean_name(query)
    if not query:
        ordered = sorted(
            tags,
            key=lambda t: (t.key is None, t.key or 0, -t.count, _casefold_name(t)),
        )
        return [Match(tag) for tag in ordered]
    search = Matcher(query).fuzzy_search
    scored: list[tuple[float, Match]] = []
    for tag in tags:
        score, offsets = search.match(query, tag.name)
        if score > 0:
            scored.append((score, Match(tag, tuple(offsets))))
    scored.sort(key=lambda pair: (-pair[0], -pair[1].tag.count, _casefold_name(pair[1].tag)))
    return [match for _, match in scored]


def _one_line(name: str) -> str:
    # One character for one keeps the match offsets valid for the shown name.
    return visible(name).replace("\n", "\u2424").replace("\t", " ")


class TagPicker(ModalScreen[str | None]):
    """Pick a tag for the current annotation, or name a new one.

    `tags` is the codebook; `applied` the names already on the annotation (marked ✓). Dismisses
    with the picked tag's name, with a new name (stripped, leading '#' removed) when the
    "Create tag" row is picked, or None on Escape. The screen decides what picking an applied
    tag means (the picker only reports the name).
    """

    DEFAULT_CSS = """
    TagPicker {
        align: center middle;
        & > #tags-dialog {
            width: 70;
            max-width: 95%;
            height: auto;
            max-height: 80%;
            padding: 0 1;
            border: thick $primary 80%;
            background: $surface;
        }
        & #tags-input { margin-bottom: 1; }
        & #tags-header { color: $text-muted; text-style: italic; height: 1; }
        & #tags-list { height: auto; max-height: 16; border: none; padding: 0; }
        & #tags-hint { color: $text-muted; height: 1; margin-top: 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "down,ctrl+n",
            "move(1)",
            "Next tag",
            id="tags.next",
            priority=True,
            tooltip="Highlight the next tag in the list",
        ),
        Binding(
            "up,ctrl+p",
            "move(-1)",
            "Previous tag",
            id="tags.previous",
            priority=True,
            tooltip="Highlight the previous tag in the list",
        ),
        Binding(
            "enter",
            "pick",
            "Pick",
            id="tags.pick",
            priority=True,
            tooltip="Apply the highlighted tag, or create the typed one",
        ),
        Binding(
            "escape",
            "cancel",
            "Cancel",
            id="tags.cancel",
            tooltip="Close without choosing a tag",
        ),
    ]
    """Up/Down (Ctrl+P/Ctrl+N) move, Enter picks, Escape cancels. Priority bindings, so they act
    while the Input has focus. An app whose command palette is on Ctrl+P (a priority binding
    checked first) must refuse "command_palette" in `check_action` while a picker is open."""

    def __init__(
        self,
        tags: Sequence[Tag],
        *,
        applied: Collection[str] = (),
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """List `tags`, marking those whose names are in `applied`."""
        super().__init__(name=name, id=id, classes=classes)
        self._tags = list(tags)
        self._applied = {n.casefold() for n in applied}
        self._column = min(
            NAME_COLUMN, max((cell_len(_one_line(t.name)) for t in self._tags), default=0)
        )
        #: What each row of the list stands for: a tag name, or ("create", name).
        self._rows: list[tuple[str, str]] = []

    @property
    def rows(self) -> list[tuple[str, str]]:
        """What the list shows, top to bottom: ("create", name) or ("tag", name)."""
        return list(self._rows)

    def compose(self) -> ComposeResult:
        """The query input, the list of tags and a key hint."""
        with Vertical(id="tags-dialog") as dialog:
            dialog.border_title = Content("Tag")
            yield Input(placeholder="Type to find or create a tag", id="tags-input")
            yield Static(
                Content(f"key   {'tag':<{self._column}}  uses"), id="tags-header", markup=False
            )
            options = OptionList(id="tags-list", markup=False)
            # The input keeps focus so typing always filters; the list follows it.
            options.can_focus = False
            yield options
            yield Static(
                Content("↑↓ move · Enter pick · Esc cancel"),
                id="tags-hint",
            )

    def on_mount(self) -> None:
        """List every tag and give the input the focus."""
        self._refresh_rows("")
        self.query_one("#tags-input", Input).focus()

    @on(Input.Changed, "#tags-input")
    def _typed(self, event: Input.Changed) -> None:
        self._refresh_rows(event.value)

    def _refresh_rows(self, query: str) -> None:
        typed = clean_name(query)
        matches = rank_tags(self._tags, query)
        rows: list[tuple[str, str]] = []
        options: list[Option] = []
        folded = typed.casefold()
        if typed and not any(t.name.casefold() == folded for t in self._tags):
            rows.append(("create", typed))
            options.append(Option(self._create_prompt(typed)))
        for match in matches:
            rows.append(("tag", match.tag.name))
            options.append(Option(self._tag_prompt(match)))
        self._rows = rows
        option_list = self.query_one("#tags-list", OptionList)
        option_list.set_options(options)
        # Typing the start of an existing tag most likely means that tag: highlight it rather than
        # "Create", so that Enter does not make a near-duplicate ("evid" next to "evidence").
        prefixed = (
            next(
                (
                    i
                    for i, (kind, name) in enumerate(rows)
                    if kind == "tag" and name.casefold().startswith(folded)
                ),
                None,
            )
            if typed
            else None
        )
        option_list.highlighted = prefixed if prefixed is not None else (0 if options else None)

    def _create_prompt(self, typed: str) -> Content:
        return Content.assemble(
            ("+     ", "$success"),
            "Create tag “",
            (_one_line(typed), "bold"),
            "”",
        )

    def _tag_prompt(self, match: Match) -> Content:
        tag = match.tag
        shown = _one_line(tag.name)
        name = Content(shown)
        for offset in match.offsets:
            if offset < len(shown) and not shown[offset].isspace():
                name = name.stylize(MATCH_STYLE, offset, offset + 1)
        pad = " " * max(0, self._column - cell_len(shown))
        key = str(tag.key) if tag.key is not None else " "
        mark = "✓" if tag.name.casefold() in self._applied else " "
        return Content.assemble(
            (key, "$accent bold"),
            "  ",
            (mark, "$success bold"),
            "  ",
            name,
            pad,
            (f"  {tag.count:>4}", "$text-muted"),
        )

    def action_move(self, step: int) -> None:
        """Move the highlight `step` rows down (negative: up)."""
        option_list = self.query_one("#tags-list", OptionList)
        if step > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    def action_pick(self) -> None:
        """Dismiss with the highlighted row's name (nothing happens on an empty list)."""
        index = self.query_one("#tags-list", OptionList).highlighted
        if index is None or not 0 <= index < len(self._rows):
            self.app.bell()
            return
        self.dismiss(self._rows[index][1])

    def action_cancel(self) -> None:
        """Dismiss with None."""
        self.dismiss(None)

    @on(OptionList.OptionSelected, "#tags-list")
    def _clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if 0 <= event.option_index < len(self._rows):
            self.dismiss(self._rows[event.option_index][1])
