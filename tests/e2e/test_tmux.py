"""End-to-end tests in a real terminal: margin runs in tmux and is driven by keys alone.

Each test starts its own tmux server (a private socket, no user config), so nothing of a
person's tmux is touched, and kills it afterwards. Screens are polled, never waited for with
fixed sleeps, so a loaded machine only makes the tests slower, not flaky.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "docs" / "samples" / "fp-kazakhstan-trial.txt"

#: Seconds to wait for any one thing to appear on screen (generous: the machine is shared).
TIMEOUT = 20.0

#: Text of the sample's first paragraph: the article is on screen when this is.
ARTICLE_TEXT = "The crushing of protests in 2022 spawned despair."

#: The sentence two `j` presses reach from the top (title, first sentence, second).
SECOND_SENTENCE = (
    "A high-profile conviction has renewed hope that the law can actually bring justice."
)


def margin_command() -> list[str]:
    """The margin command of the Python running the tests (its venv's script, else -m tui)."""
    script = Path(sys.executable).parent / "margin"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "tui"]


def wait_for(
    predicate: Callable[[], T | None], timeout: float = TIMEOUT, interval: float = 0.05
) -> T | None:
    """Poll `predicate` until it returns something true and return that; None at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            return None
        time.sleep(interval)


class Terminal:
    """One tmux server on a private socket with one 120x40 session running a command."""

    def __init__(self, cwd: Path, env: dict[str, str]) -> None:
        self.socket = f"margin-e2e-{uuid.uuid4().hex[:12]}"
        self.session = "margin"
        self.cwd = cwd
        self.env = env
        self.status_file = cwd / "exit-status"

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a tmux command against this test's server."""
        return subprocess.run(
            ["tmux", "-L", self.socket, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            check=check,
            cwd=self.cwd,
            env=self.env,
            timeout=TIMEOUT,
        )

    def start(self, argv: list[str]) -> None:
        """Run `argv` in the pane; the shell around it writes its exit status to a file."""
        command = f"{shlex.join(argv)}; echo $? > {shlex.quote(str(self.status_file))}"
        env_flags: list[str] = []
        for key in ("TEXTUAL_ANIMATIONS", "MARGIN_CONFIG"):
            if key in self.env:
                env_flags += ["-e", f"{key}={self.env[key]}"]
        # remain-on-exit keeps the pane after the end, so a failure can show its last screen.
        self.tmux(
            "new-session", "-d", "-x", "120", "-y", "40", "-s", self.session,
            "-c", str(self.cwd), *env_flags, command,
            ";", "set-option", "-w", "-t", self.session, "remain-on-exit", "on",
        )  # fmt: skip

    def program_pid(self) -> int:
        """The pid of the program in the pane: the child of the pane's shell."""
        shell = self.pane("#{pane_pid}")

        def child() -> int | None:
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue  # gone meanwhile
                if fields[1] == shell:  # the field after the state is the parent's pid
                    return int(stat.parent.name)
            return None

        pid = wait_for(child)
        if pid is None:
            pytest.fail(f"no program runs in the pane (shell pid {shell})")
        return pid

    def screen(self) -> str:
        """What the pane shows now, as plain text."""
        result = self.tmux("capture-pane", "-p", "-t", self.session, check=False)
        return result.stdout

    def keys(self, *keys: str) -> None:
        """Press keys by tmux name (`j`, `Enter`, `C-s`)."""
        self.tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        """Type `text` literally."""
        self.tmux("send-keys", "-t", self.session, "-l", text)

    def pane(self, fmt: str) -> str:
        """A tmux format evaluated for the pane (`#{pane_pid}`, `#{pane_dead}`)."""
        return self.tmux("display-message", "-p", "-t", self.session, fmt).stdout.strip()

    def wait_screen(self, predicate: Callable[[str], object], what: str) -> str:
        """Wait until `predicate(screen)` holds; fail with the last screen otherwise."""

        def matching_screen() -> str | None:
            screen = self.screen()
            return screen if predicate(screen) else None

        shown = wait_for(matching_screen)
        if shown is None:
            pytest.fail(f"timed out waiting for {what}; the screen was:\n{self.screen()}")
        return shown

    def wait_text(self, text: str) -> str:
        """Wait until `text` is on screen."""
        return self.wait_screen(lambda s: text in s, repr(text))

    def wait_exit(self) -> int:
        """Wait for the program to end and return its exit status."""

        def status() -> str | None:
            try:
                return self.status_file.read_text().strip() or None
            except FileNotFoundError:
                return None

        code = wait_for(status)
        if code is None:
            pytest.fail(f"margin did not exit; the screen was:\n{self.screen()}")
        return int(code)

    def kill(self) -> None:
        """Stop the server and everything in it, and remove its socket."""
        found = self.tmux("display-message", "-p", "#{socket_path}", check=False).stdout.strip()
        self.tmux("kill-server", check=False)
        if found:
            Path(found).unlink(missing_ok=True)


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    """A private tmux server in tmp_path, killed after the test."""
    if shutil.which("tmux") is None:
        pytest.fail("tmux is not installed: the end-to-end tests need it (apt-get install tmux)")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TMUX", "MARGIN_", "TEXTUAL_"))
    }
    env.update(
        TEXTUAL_ANIMATIONS="none",
        MARGIN_CONFIG=str(tmp_path / "no-config.toml"),  # a person's keymap must not apply
        TERM="xterm-256color",
    )
    term = Terminal(tmp_path, env)
    try:
        yield term
    finally:
        term.kill()


def run_margin(terminal: Terminal, db: Path, *args: str) -> str:
    """Run a margin command in a subprocess (outside tmux) and return its output."""
    result = subprocess.run(
        [*margin_command(), "--db", str(db), *args],
        capture_output=True,
        text=True,
        cwd=terminal.cwd,
        env=terminal.env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def exported(terminal: Terminal, db: Path) -> list[dict]:
    """The W3C JSON export's annotations."""
    collection = json.loads(run_margin(terminal, db, "export", "--format", "json"))
    return collection.get("first", {}).get("items", []) if collection["total"] else []


def selectors_exact(item: dict) -> str:
    """The quote of an exported annotation."""
    return next(s["exact"] for s in item["target"]["selector"] if s["type"] == "TextQuoteSelector")


def stored_text(db: Path) -> str:
    """The sample's text as the database holds it."""
    from tui.store import Store

    store = Store(db)
    try:
        (info,) = store.list_documents()
        return store.get_document(info.id).text
    finally:
        store.close()


def sidebar_tag_rows(screen: str, tag: str) -> int:
    """How many sidebar entries show `#tag` on their tag line."""
    return len(re.findall(rf"▏ +#{re.escape(tag)} *$", screen, re.MULTILINE))


def open_sample(terminal: Terminal, db: Path) -> None:
    """Start margin on the sample and wait until the article is on screen."""
    terminal.start([*margin_command(), "--db", str(db), str(SAMPLE)])
    terminal.wait_screen(
        lambda s: ARTICLE_TEXT in s and "0 annotations" in s, "the article and status line"
    )


def test_tag_two_passages_write_a_note_and_export(terminal: Terminal, tmp_path: Path) -> None:
    """Keys alone: tag a sentence with a new tag, tag the next paragraph with its quick key,
    write a note, quit; the export holds exactly that, with offsets that fit the text."""
    db = tmp_path / "e2e.db"
    tag = "e2e-evidence"
    note = "the thesis, [bold]kept literally[/]"
    open_sample(terminal, db)

    terminal.keys("j", "j", "t")
    terminal.wait_text("Type to find or create a tag")
    terminal.type(tag)
    terminal.wait_text(f"Create tag “{tag}”")
    terminal.keys("Enter")
    terminal.wait_screen(lambda s: sidebar_tag_rows(s, tag) == 1, "the first tagged entry")

    terminal.keys("}", "1")  # the new tag got quick key 1
    terminal.wait_screen(lambda s: sidebar_tag_rows(s, tag) == 2, "the second tagged entry")

    terminal.keys("a")
    terminal.wait_text("Ctrl+S save and close")
    terminal.type(note)
    terminal.wait_text(note)
    terminal.keys("C-s")
    terminal.wait_screen(
        lambda s: "Ctrl+S save and close" not in s and f"✎ {note[:20]}" in s, "the saved note"
    )

    terminal.keys("q")
    assert terminal.wait_exit() == 0

    items = exported(terminal, db)
    assert len(items) == 2
    text = stored_text(db)
    spans = []
    for item in items:
        bodies = item.get("body", [])
        assert [b["value"] for b in bodies if b["purpose"] == "tagging"] == [tag]
        selectors = {s["type"]: s for s in item["target"]["selector"]}
        position = selectors["TextPositionSelector"]
        quote = selectors["TextQuoteSelector"]["exact"]
        assert text[position["start"] : position["end"]] == quote
        spans.append((position["start"], position["end"]))
    notes = [b["value"] for item in items for b in item["body"] if b["purpose"] == "commenting"]
    assert notes == [note]
    # Export order is text order: the sentence `j j` reached, then the paragraph `}` reached,
    # which carries the note since the cursor was still on it.
    assert selectors_exact(items[0]) == SECOND_SENTENCE
    assert spans[0][1] <= spans[1][0]
    assert [item["motivation"] for item in items] == ["tagging", "commenting"]


def test_sigterm_saves_the_note_draft(terminal: Terminal, tmp_path: Path) -> None:
    """SIGTERM while the note editor holds unsaved text: margin exits and the draft is stored."""
    db = tmp_path / "e2e.db"
    draft = "typed a moment before the terminal closed"
    open_sample(terminal, db)

    terminal.keys("j", "j", "a")
    terminal.wait_text("Ctrl+S save and close")
    terminal.type(draft)
    terminal.wait_text(draft)

    os.kill(terminal.program_pid(), signal.SIGTERM)
    assert terminal.wait_exit() == 0

    items = exported(terminal, db)
    assert len(items) == 1
    assert selectors_exact(items[0]) == SECOND_SENTENCE
    notes = [b["value"] for b in items[0].get("body", []) if b["purpose"] == "commenting"]
    assert notes == [draft]


def test_closing_the_terminal_ends_margin(terminal: Terminal, tmp_path: Path) -> None:
    """The terminal goes away (SIGHUP) while a book is still being set up on screen: margin
    exits, rather than waiting forever to draw on a terminal that is gone. Tried a few times,
    as the moment matters; the reading position is saved on the way out."""
    book = REPO.parent / "shared" / "corpus" / "texts" / "pg2600-war-and-peace-en.txt"
    db = tmp_path / "e2e.db"
    run_margin(terminal, db, "import", str(book))
    for attempt in range(6):
        terminal.start([*margin_command(), "--db", str(db), "open", "1"])
        pid = terminal.program_pid()
        terminal.wait_text("The Project Gutenberg EBook of War and Peace")
        if attempt == 5:
            terminal.keys("Space")
            terminal.wait_screen(lambda s: "EBook of War and Peace" not in s, "the next page")
        terminal.tmux("kill-session", "-t", terminal.session)

        def gone(pid: int = pid) -> bool:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                return True
            return state == "Z"  # exited; its parent has not collected it yet

        if not wait_for(gone, timeout=10.0):
            os.kill(pid, signal.SIGKILL)
            pytest.fail(f"margin still ran 10 s after its terminal closed (attempt {attempt})")
    from tui.store import Store

    with Store(db, read_only=True) as store:
        (info,) = store.list_documents()
        assert info.position > 0
