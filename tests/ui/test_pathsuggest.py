"""PathSuggester: completing file-system paths in real folders under tmp_path."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.widgets import Input

from tui.ui.pathsuggest import PathSuggester, complete_path


def make_tree(root: Path, *names: str) -> Path:
    """Create files (and folders, for names ending in '/') under root."""
    for name in names:
        target = root / name
        if name.endswith("/"):
            target.mkdir(parents=True, exist_ok=True)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("text\n", encoding="utf-8")
    return root


def test_completes_the_matching_entry_of_the_folder(tmp_path: Path) -> None:
    make_tree(tmp_path, "article.txt", "zebra.md")
    assert complete_path(f"{tmp_path}/art") == f"{tmp_path}/article.txt"
    assert complete_path(f"{tmp_path}/z") == f"{tmp_path}/zebra.md"


def test_folders_get_a_trailing_slash(tmp_path: Path) -> None:
    make_tree(tmp_path, "Documents/", "Documents/inner.txt")
    assert complete_path(f"{tmp_path}/Doc") == f"{tmp_path}/Documents/"
    # A folder typed in full still gains its slash, and then its entries are offered.
    assert complete_path(f"{tmp_path}/Documents") == f"{tmp_path}/Documents/"
    assert complete_path(f"{tmp_path}/Documents/") == f"{tmp_path}/Documents/inner.txt"


def test_supported_files_come_first_then_folders_then_other_files(tmp_path: Path) -> None:
    make_tree(tmp_path, "report.pdf", "report.txt", "reports/")
    assert complete_path(f"{tmp_path}/rep") == f"{tmp_path}/report.txt"
    (tmp_path / "report.txt").unlink()
    assert complete_path(f"{tmp_path}/rep") == f"{tmp_path}/reports/"
    (tmp_path / "reports").rmdir()
    assert complete_path(f"{tmp_path}/rep") == f"{tmp_path}/report.pdf"


def test_supported_suffixes_are_matched_in_any_case(tmp_path: Path) -> None:
    make_tree(tmp_path, "Notes.bin", "Notes.HTML")
    assert complete_path(f"{tmp_path}/No") == f"{tmp_path}/Notes.HTML"


def test_hidden_entries_only_when_the_prefix_starts_with_a_dot(tmp_path: Path) -> None:
    make_tree(tmp_path, ".hidden.txt", ".config/", "visible.bin")
    assert complete_path(f"{tmp_path}/.h") == f"{tmp_path}/.hidden.txt"
    assert complete_path(f"{tmp_path}/.c") == f"{tmp_path}/.config/"
    assert complete_path(f"{tmp_path}/") == f"{tmp_path}/visible.bin"
    assert complete_path(f"{tmp_path}/h") is None
    (tmp_path / "visible.bin").unlink()
    assert complete_path(f"{tmp_path}/") is None


def test_tilde_is_the_home_folder_and_stays_in_the_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, "Downloads/", "draft.md")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert complete_path("~") == "~/"
    assert complete_path("~/Dow") == "~/Downloads/"
    assert complete_path("~/dr") == "~/draft.md"
    assert complete_path("~nobody-has-this-name") is None


def test_relative_paths_start_from_root_or_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_tree(tmp_path, "sub/page.html", "essay.md")
    assert complete_path("sub/pa", root=tmp_path) == "sub/page.html"
    assert complete_path("ess", root=tmp_path) == "essay.md"
    monkeypatch.chdir(tmp_path / "sub")
    assert complete_path("pa") == "page.html"
    assert complete_path("../ess") == "../essay.md"


def test_exact_case_wins_and_other_case_is_a_fallback(tmp_path: Path) -> None:
    make_tree(tmp_path, "README.md")
    # Only a match ignoring case: the suggestion takes the file's own spelling.
    assert complete_path(f"{tmp_path}/read") == f"{tmp_path}/README.md"
    make_tree(tmp_path, "readme.txt")
    assert complete_path(f"{tmp_path}/read") == f"{tmp_path}/readme.txt"
    assert complete_path(f"{tmp_path}/READ") == f"{tmp_path}/README.md"


def test_nothing_to_suggest(tmp_path: Path) -> None:
    make_tree(tmp_path, "only.txt")
    assert complete_path("") is None
    assert complete_path(f"{tmp_path}/zzz") is None
    assert complete_path(f"{tmp_path}/missing/x") is None
    assert complete_path(f"{tmp_path}/only.txt/x") is None  # a file is not a folder
    assert complete_path(f"{tmp_path}/only.txt") is None  # already complete
    assert complete_path(f"{tmp_path}/bad\0name") is None


def test_an_unreadable_folder_gives_no_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = make_tree(tmp_path, "locked/in.txt") / "locked"
    real_scandir = os.scandir

    def refuse(path: object) -> object:
        # Root reads every folder, so the refusal a normal user would meet is simulated.
        if Path(str(path)) == locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "scandir", refuse)
    assert complete_path(f"{locked}/i") is None


def test_a_broken_symlink_is_offered_as_a_plain_entry(tmp_path: Path) -> None:
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere")
    assert complete_path(f"{tmp_path}/dang") == f"{tmp_path}/dangling.txt"


def test_suggester_keeps_case_and_does_not_cache(tmp_path: Path) -> None:
    suggester = PathSuggester(root=tmp_path)
    assert suggester.case_sensitive
    assert suggester.cache is None
    assert asyncio.run(suggester.get_suggestion("New")) is None
    make_tree(tmp_path, "NewFile.md")  # appears after the first question: no stale answer
    assert asyncio.run(suggester.get_suggestion("New")) == "NewFile.md"


class InputApp(App[None]):
    """An Input with a PathSuggester, nothing else."""

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = root

    def compose(self) -> ComposeResult:
        yield Input(suggester=PathSuggester(root=self.root))


def test_the_input_shows_and_accepts_the_suggestion(tmp_path: Path) -> None:
    make_tree(tmp_path, "chapters/one.md")

    async def run() -> None:
        app = InputApp(tmp_path)
        async with app.run_test() as pilot:
            field = app.query_one(Input)
            await pilot.press("c", "h")
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("right")  # accepts the suggestion at the end of the text
            assert field.value == "chapters/"
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("right")
            assert field.value == "chapters/one.md"

    asyncio.run(run())
