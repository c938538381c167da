"""The key map: `bindings_help` turns Binding objects (and the keymap) into sections, and
`HelpScreen` shows them in a scrollable modal.

Help is generated from the bindings in use, never kept by hand, so a remapped key shows as
remapped (GUIDE 3, posting).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import ClassVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.keys import key_to_character
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.textsafe import visible

__all__ = ["OTHER", "HelpScreen", "Section", "bindings_help", "format_key", "format_keys"]

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
            shown = key_to_character(name) or name.replace("_", " ").title()
    if modifiers and len(shown) == 1 and shown.isalpha():
        # Ctrl+s would suggest a lower-case letter matters with a modifier; keyboards say Ctrl+S.
        shown = shown.upper()
    return "+".join([*(_MODIFIERS.get(m, m.title()) for m in modifiers), shown])


def format_keys(keys: str) -> str:
    """A binding's comma-separated key string formatted key by key."""
    parts = [k for k in (p.strip() for p in keys.split(",")) if k]
    if keys.strip() == ",":
        parts = [","]
    return KEY_SEPARATOR.join(dict.fromkeys(format_key(k) for k in parts))


def _keys_of(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    if binding.id and binding.id in keymap and keymap[binding.id].strip():
        return [format_key(k) for k in keymap[binding.id].split(",") if k.strip()]
    if binding.key_display:
        return [binding.key_display]
    if binding.key.strip() == ",":
        return [format_key(",")]
    return [format_key(k) for k in binding.key.split(",") if k.strip()]


def bindings_help(
    bindings: Iterable[Binding],
    keymap: Mapping[str, str],
    groups: Mapping[str, str],
) -> list[Section]:
    """Sections of (keys, description) rows made from `bindings`.

    A binding's keys come from `keymap[binding.id]` when the keymap overrides it, else from
    its own `key_display` or `key`. Bindings that share an id or an action are one row (the
    first one's description), keys in order of appearance. Rows go to the section
    `groups[binding.id]` (OTHER when missing); sections come in the order of `groups`' values,
    then any others, OTHER last. Bindings with neither description nor tooltip are left out.
    """
    rows: dict[str, list[tuple[list[str], str]]] = {}
    by_id: dict[str, tuple[list[str], str]] = {}
    by_action: dict[tuple[str, str], tuple[list[str], str]] = {}
    for binding in bindings:
        description = binding.description or binding.tooltip
        if not description:
            continue
        group = groups.get(binding.id, OTHER) if binding.id else OTHER
        keys = _keys_of(binding, keymap)
        row = (by_id.get(binding.id) if binding.id else None) or by_action.get(
            (group, binding.action)
        )
        if row is None:
            row = ([], description)
            rows.setdefault(group, []).append(row)
        row[0].extend(k for k in keys if k not in row[0])
        if binding.id:
            by_id.setdefault(binding.id, row)
        by_action.setdefault((group, binding.action), row)
    order = list(dict.fromkeys(groups.values()))
    order += [g for g in rows if g not in order]
    if OTHER in order:
        order.remove(OTHER)
        order.append(OTHER)
    return [
        (group, [(KEY_SEPARATOR.join(keys), text) for keys, text in rows[group]])
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
        # The body takes the scrolling keys; the screen's own bindings still close it.
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
