"""The core and every CLI command but `open` run without importing Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO, SAMPLE

CORE_MODULES = [
    "tui",
    "tui.model",
    "tui.paths",
    "tui.textsafe",
    "tui.document",
    "tui.anchoring",
    "tui.store",
    "tui.export",
    "tui.library",
    "tui.cli",
]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def test_core_modules_do_not_import_textual():
    code = (
        "import importlib, sys\n"
        f"for name in {CORE_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["locate"],
        ["import", str(SAMPLE)],
        ["list"],
        ["show", "1"],
        ["annotate", "1", "-q", "Perhaps most importantly", "-t", "x", "--note", "n"],
        ["tags"],
        ["search", "trial"],
        ["export", "-f", "md"],
        ["export", "-f", "json"],
        ["export", "-f", "csv"],
    ],
)
def test_cli_commands_do_not_import_textual(argv, tmp_path):
    db = tmp_path / "t.db"
    setup = (
        ""
        if argv[0] in ("--help", "locate", "import")
        else (f"CliRunner().invoke(main, ['--db', {str(db)!r}, 'import', {str(SAMPLE)!r}])\n")
    )
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tui.cli import main\n"
        + setup
        + f"r = CliRunner().invoke(main, ['--db', {str(db)!r}] + {argv!r})\n"
        "assert r.exit_code == 0, r.output\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("argv", [["list"], ["tags"], ["search", "trial"], ["show", "1"]])
def test_read_commands_on_a_current_database_skip_sqlite_utils(argv, tmp_path):
    """sqlite-utils (40 ms to import) is for migrations; reading never needs it."""
    db = tmp_path / "t.db"
    prepare = run_python(
        "from click.testing import CliRunner\nfrom tui.cli import main\n"
        f"r = CliRunner().invoke(main, ['--db', {str(db)!r}, 'import', {str(SAMPLE)!r}])\n"
        "assert r.exit_code == 0, r.output\n"
    )
    assert prepare.returncode == 0, prepare.stderr
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from tui.cli import main\n"
        f"r = CliRunner().invoke(main, ['--db', {str(db)!r}] + {argv!r})\n"
        "assert r.exit_code == 0, r.output\n"
        "sys.exit(1 if 'sqlite_utils' in sys.modules else 0)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stdout + result.stderr
