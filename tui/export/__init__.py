"""Exporters: pure functions from documents and their annotations to the text of a file.

Shared by `margin export` and the UI's export dialog. They take the model dataclasses only
(never the store, SQLite or Textual) and return a string for the caller to write; docs/formats.md
describes each format as built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tui.export._common import Item
from tui.export.csvfile import to_csv
from tui.export.markdown import to_markdown
from tui.export.w3c import to_w3c_json

__all__ = ["FORMATS", "SUFFIXES", "Item", "export", "to_csv", "to_markdown", "to_w3c_json"]

#: Each format's exporter with its default options, by the name the CLI and the dialog use.
FORMATS: dict[str, Callable[[Sequence[Item]], str]] = {
    "md": to_markdown,
    "json": to_w3c_json,
    "csv": to_csv,
}

#: The file suffix each format is written with.
SUFFIXES: dict[str, str] = {"md": ".md", "json": ".json", "csv": ".csv"}


def export(fmt: str, items: Sequence[Item]) -> str:
    """The text of `items` exported as `fmt` ("md", "json" or "csv").

    Raises ValueError naming the known formats when `fmt` is not one of them.
    """
    try:
        exporter = FORMATS[fmt]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"unknown export format {fmt!r}; known formats: {known}") from None
    return exporter(items)
