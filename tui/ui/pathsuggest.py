"""Completion of file-system paths as a person types them, for the import field.

`PathSuggester` plugs into Textual's `Input(suggester=...)`: the input shows the rest of the
suggestion dimmed after the cursor and accepts it with → (or Tab where the screen binds it).
The suggestion always begins with exactly what was typed (`~` stays `~`), because the input
only shows the part after the typed value.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from textual.suggester import Suggester

from tui.document import SUPPORTED_SUFFIXES

__all__ = ["PathSuggester", "complete_path"]

#: A folder with more entries than this is only partly looked at: a suggestion is a hint, and
#: scanning a huge folder on every key press would make typing lag.
MAX_ENTRIES = 20_000

# Ranks of a candidate: files margin can import first, then folders (a folder import takes
# every supported file in it), then everything else.
_SUPPORTED, _FOLDER, _OTHER = 0, 1, 2


def _rank(entry: os.DirEntry[str]) -> int:
    try:
        if entry.is_dir():
            return _FOLDER
    except OSError:  # a broken symlink or a vanished entry
        return _OTHER
    return _SUPPORTED if Path(entry.name).suffix.lower() in SUPPORTED_SUFFIXES else _OTHER


def complete_path(value: str, root: Path | None = None) -> str | None:
    """The best completion of `value` as a path, or None when there is nothing to add.

    The last path component is completed from the entries of its folder (relative paths are
    taken from `root`, by default the current directory; `~` is the home folder). Folders get
    a trailing `/`. Hidden entries are offered only when the typed component starts with '.'.
    Supported files come before folders, folders before other files; an exact-case match
    before one that ignores case. The result starts with `value` unless only a match that
    ignores case was found, in which case the last component takes the entry's spelling.
    """
    if not value or "\0" in value:
        return None
    if value == "~":
        return "~/"
    head, sep, prefix = value.rpartition("/")
    folder_text = head + sep  # "" (the root folder), "/" or "some/dir/"
    if not folder_text and value.startswith("~"):
        return None  # "~user" without a slash: other users' homes are not listed
    folder = Path(os.path.expanduser(folder_text)) if folder_text else Path(".")
    if not folder.is_absolute():
        folder = (root or Path.cwd()) / folder
    show_hidden = prefix.startswith(".")
    folded = prefix.casefold()
    exact: list[tuple[int, str, str]] = []
    loose: list[tuple[int, str, str]] = []
    try:
        with os.scandir(folder) as entries:
            for count, entry in enumerate(entries):
                if count >= MAX_ENTRIES:
                    break
                name = entry.name
                if name.startswith(".") and not show_hidden:
                    continue
                if name.startswith(prefix):
                    bucket = exact
                elif name.casefold().startswith(folded):
                    bucket = loose
                else:
                    continue
                rank = _rank(entry)
                bucket.append((rank, name.casefold(), name + ("/" if rank == _FOLDER else "")))
    except OSError:  # missing, not a folder, no permission: no suggestion
        return None
    for candidates in (exact, loose):
        for _, _, name in sorted(candidates):
            suggestion = folder_text + name
            if suggestion != value:
                return suggestion
    return None


class PathSuggester(Suggester):
    """Suggests the completion of a file-system path (see `complete_path`).

    `root` is the folder relative paths start from; None means the current directory at the
    time of each suggestion, which is where the import resolves them too.
    """

    def __init__(self, root: Path | None = None) -> None:
        # No cache: the folders change under us (a new download must be offered at once), and
        # paths are case-sensitive, so the typed value must not be case-folded.
        super().__init__(use_cache=False, case_sensitive=True)
        self.root = root

    async def get_suggestion(self, value: str) -> str | None:
        """The completion of `value`, computed in a thread so a slow disk never blocks typing."""
        return await asyncio.to_thread(complete_path, value, self.root)
