"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "docs" / "samples" / "fp-kazakhstan-trial.txt"

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")


@pytest.fixture
def shared() -> Path:
    """The shared corpus and samples folder (../shared beside the repository)."""
    assert SHARED.is_dir(), f"missing {SHARED}: the tests read the shared corpus from there"
    return SHARED


@pytest.fixture
def sample() -> Path:
    """The bundled reference article."""
    return SAMPLE


CliRun = Callable[..., Result]


@pytest.fixture
def margin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRun:
    """Run `margin ARGS...` through click's CliRunner on a database file in tmp_path."""
    from tui.cli import main

    monkeypatch.delenv("MARGIN_DB", raising=False)
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "test.db"

    def run(*args: str, input: str | bytes | None = None, db_path: Path | None = db) -> Result:
        runner = CliRunner()
        argv = (["--db", str(db_path)] if db_path else []) + list(args)
        return runner.invoke(main, argv, input=input, catch_exceptions=False)

    return run
