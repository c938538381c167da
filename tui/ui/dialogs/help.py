"""The key map: `bindings_help` turns Binding objects (and the keymap) into sections, and
`HelpScreen` shows them in a scrollable modal.

Help is generated from the bindings in use, never kept by hand, so a remapped key shows as
remapped (GUIDE 3, posting).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.keys import format_key as textual_format_key
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.textsafe import visible

__all__ = ["OTHER", "HelpScreen", "Section", "bindings_help", "format_key"]

#: A section of the key map: its title and (keys as displayed, description) rows.
Section = tuple[str, list[tuple[str, str]]]

#: The group of bindings that `groups` does not name.
OTHER = "Other"

_MODIFIERS = {
    "ctrl": "Ctrl",
    "shift": "Shift",
    "alt": "Alt",
    "meta": "Meta",
    "super": "Super",
    "hyper": "Hyper",
}

_KEY_NAMES = {
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "space": "Space",
    "enter": "Enter",
    "escape": "Esc",
    "tab": "Tab",
    "backspace": "Backspace",
    "delete": "Del",
    "insert": "Ins",
    # A comma would read as the separator between keys.
    "comma": "Comma",
    ",": "Comma",
    "plus": "+",
    "minus": "-",
}

#: Between the keys of one row.
KEY_SEPARATOR = ", "


def format_key(key: str) -> str:
    """One key as a person reads it: `ctrl+s` -> `Ctrl+S`, `shift+right` -> `Shift+→`,
    `pagedown` -> `PgDn`, `question_mark` -> `?`; a plain letter stays as typed (`G` is `G`)."""
    key = key.strip()
    if key in ("+", ""):
        return key
    if key.endswith("++"):  # "ctrl++": the key itself is '+'
        *modifiers, name = [*key[:-2].split("+"), "+"]
    else:
        *modifiers, name = key.split("+")
    shown = _KEY_NAMES.get(name)
    if shown is None:
        if len(name) == 1:
            shown = name
        elif name[:1] == "f" and name[1:].isdigit():
            shown = name.upper()
        else:
            # Textual knows the characters behind names like "slash" or "question_mark".
            char = textual_format_key(name)
            shown = char if len(char) == 1 else name.replace("_", " ").title()
    if modifiers and len(shown) == 1 and shown.isalpha():
        # Ctrl+s would suggest a lower-case letter matters with a modifier; keyboards say Ctrl+S.
        shown = shown.upper()
    return "+".join([*(_MODIFIERS.get(m, m.title()) for m in modifiers), shown])


def _keys_of(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    if binding.id and binding.id in keymap and keymap[binding.id].strip():
        return [format_key(k) for k in keymap[binding.id].split(",") if k.strip()]
    if binding.key_display:
        return [binding.key_display]
    if binding.key.strip() == ",":
        return [format_key(",")]
    return [format_key(k) for k in binding.key.split(",") if k.strip()]


class _Row(NamedTuple):
    group: str
    keys: list[str]
    description: str


def bindings_help(
    bindings: Iterable[Binding],
    keymap: Mapping[str, str],
    groups: Mapping[str, str],
) -> list[Section]:
    """Sections of (keys, description) rows made from `bindings`.

    A binding's keys come from `keymap[binding.id]` when the keymap overrides it, else from
    its own `key_display` or `key`. Bindings that share an id or an action are one row (the
    first one's description), keys in order of appearance; a binding whose id has its own
    group is not merged by action into another group's row. Rows go to the section
    `groups[binding.id]` (OTHER when missing); sections come in the order of `groups`' values,
    then any others, OTHER last. Bindings with neither description nor tooltip are left out.
    """
    rows: dict[str, list[_Row]] = {}
    by_id: dict[str, _Row] = {}
    by_action: dict[str, _Row] = {}
    for binding in bindings:
        description = binding.description or binding.tooltip
        if not description:
            continue
        group = groups.get(binding.id) if binding.id else None
        row = by_id.get(binding.id) if binding.id else None
        if row is None and (same := by_action.get(binding.action)) is not None:
            # The same action under another explicitly grouped id means another context
            # (Escape closing two different things): only ungrouped bindings join it.
            row = same if group is None or group == same.group else None
        if row is None:
            row = _Row(group or OTHER, [], description)
            rows.setdefault(row.group, []).append(row)
        row.keys.extend(k for k in _keys_of(binding, keymap) if k not in row.keys)
        if binding.id:
            by_id.setdefault(binding.id, row)
        by_action.setdefault(binding.action, row)
    order = list(dict.fromkeys(groups.values()))
    order += [g for g in rows if g not in order]
    if OTHER in order:
        order.remove(OTHER)
        order.append(OTHER)
    return [
        (group, [(KEY_SEPARATOR.join(row.keys), row.description) for row in rows[group]])
        for group in order
        if group in rows
    ]


class HelpScreen(ModalScreen[None]):
    """A scrollable key map: one titled section of (keys, description) rows per group.

    Build the sections with `bindings_help`. Escape, `q` or `?` close it; the arrow keys and
    PgUp/PgDn scroll.
    """

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        & > #help-dialog {
            width: 80;
            max-width: 95%;
            height: 90%;
            border: thick $primary 80%;
            background: $surface;
        }
        & #help-body { height: 1fr; padding: 0 1; }
        & .help-title { text-style: bold; color: $accent; margin-top: 1; }
        & .help-rows { height: auto; }
        & #help-hint { height: 1; color: $text-muted; padding: 0 1; }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape,q,question_mark",
            "close",
            "Close help",
            id="help.close",
            tooltip="Close the key map",
        ),
    ]
    """Escape, q or ? close the help."""

    def __init__(
        self,
        sections: Sequence[tuple[str, Sequence[tuple[str, str]]]],
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        """Show `sections`: (title, [(keys as displayed, description), ...])."""
        super().__init__(name=name, id=id, classes=classes)
        self._sections = [(title, list(rows)) for title, rows in sections]

    def compose(self) -> ComposeResult:
        """A title per section and its rows, in a scrolling body, over a key hint."""
        width = max(
            (cell_len(keys) for _, rows in self._sections for keys, _ in rows),
            default=0,
        )
        with Vertical(id="help-dialog") as dialog:
            dialog.border_title = Content("Keys")
            with VerticalScroll(id="help-body"):
                for title, rows in self._sections:
                    yield Static(Content(visible(title)), classes="help-title")
                    yield Static(_rows_content(rows, width), classes="help-rows")
            yield Static(Content("Esc, q or ? close · ↑↓ PgUp PgDn scroll"), id="help-hint")

    def on_mount(self) -> None:
        """Focus the body, so arrows and PgUp/PgDn scroll it (the screen's keys still close)."""
        self.query_one("#help-body", VerticalScroll).focus()

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)


def _rows_content(rows: Sequence[tuple[str, str]], width: int) -> Content:
    lines = [
        Content.assemble(
            (visible(keys), "bold"),
            " " * (width - cell_len(keys) + 2),
            visible(text),
        )
        for keys, text in rows
    ]
    return Content("\n").join(lines)
