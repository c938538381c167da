"""Measuring what a person sees, in a real terminal: a private tmux server and its screens.

One control-mode client (`tmux -C`) sends every command, so polling the screen costs a pipe round
trip (well under a millisecond) rather than starting a tmux process each time. Programs start in
new sessions of `width` x `height`; every session and the server end when the `Tmux` closes.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

_PLAIN = re.compile(r"[A-Za-z0-9_./:=@%+,-]+")


class TerminalError(RuntimeError):
    """tmux refused a command, or a program did not show what was expected in time."""


def available() -> str | None:
    """Why terminal figures cannot be measured here, or None when tmux is installed."""
    return None if shutil.which("tmux") else "tmux is not installed"


def quote(arg: str) -> str:
    """`arg` as one word of a tmux command line."""
    if _PLAIN.fullmatch(arg):
        return arg
    if "'" not in arg:
        return f"'{arg}'"
    escaped = arg.replace("\\", "\\\\").replace('"', '\\"').replace("$", "\\$")
    return f'"{escaped}"'


@dataclass
class Launch:
    """What a launch showed: seconds to the text, and the distinct screens seen before it."""

    seconds: float
    screens: list[tuple[float, str]] = field(default_factory=list)


class Tmux:
    """A tmux server on a private socket, driven through one control-mode client."""

    def __init__(self, width: int = 120, height: int = 40) -> None:
        self.width = width
        self.height = height
        self.socket = f"margin-bench-{os.getpid()}"
        self.exe = shutil.which("tmux") or "tmux"
        self._client: subprocess.Popen[bytes] | None = None
        self._count = 0

    # -- the server ------------------------------------------------------------------------------

    def __enter__(self) -> Tmux:
        base = [self.exe, "-L", self.socket, "-f", "/dev/null"]
        subprocess.run(
            [*base, "new-session", "-d", "-s", "idle", "-x", "20", "-y", "5", "sleep 86400"],
            check=True,
            capture_output=True,
        )
        try:
            self._client = subprocess.Popen(
                [*base, "-C", "attach-session", "-t", "idle"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
            )
            self._wait_attached()
            self.command("refresh-client", "-f", "no-output")
            self.command("set-option", "-g", "remain-on-exit", "on")
            self.command("set-option", "-g", "status", "off")
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Kill every session and the server; safe to call twice."""
        subprocess.run(
            [self.exe, "-L", self.socket, "kill-server"], capture_output=True, check=False
        )
        if self._client is not None:
            client, self._client = self._client, None
            for stream in (client.stdin, client.stdout):
                if stream is not None:
                    stream.close()
            try:
                client.wait(timeout=2)
            except subprocess.TimeoutExpired:
                client.kill()
                client.wait()

    def _wait_attached(self) -> None:
        assert self._client is not None and self._client.stdout is not None
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            line = self._client.stdout.readline()
            if not line:
                break
            if line.startswith(b"%session-changed"):
                return
        raise TerminalError("the tmux control client did not attach")

    def command(self, *args: str) -> list[str]:
        """Run one tmux command through the control client; its output lines."""
        client = self._client
        if client is None or client.stdin is None or client.stdout is None:
            raise TerminalError("tmux is not running")
        client.stdin.write((" ".join(quote(a) for a in args) + "\n").encode())
        client.stdin.flush()
        out: list[str] = []
        begin: bytes | None = None
        while True:
            line = client.stdout.readline()
            if not line:
                raise TerminalError(f"tmux went away during: {' '.join(args)}")
            if begin is None:
                if line.startswith(b"%begin "):
                    begin = line.split()[1:3]
                continue
            if line.startswith((b"%end ", b"%error ")) and line.split()[1:3] == begin:
                if line.startswith(b"%error"):
                    raise TerminalError(f"tmux {args[0]}: {' '.join(out)}")
                return out
            out.append(line.decode("utf-8", "replace").rstrip("\n"))

    # -- sessions --------------------------------------------------------------------------------

    def start(
        self,
        name: str,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        cwd: str | None = None,
    ) -> None:
        """Start `argv` in a new detached session `name` of the configured size."""
        args = ["new-session", "-d", "-s", name, "-x", str(self.width), "-y", str(self.height)]
        for key, value in (env or {}).items():
            args += ["-e", f"{key}={value}"]
        if cwd:
            args += ["-c", cwd]
        args.append("exec " + " ".join(_sh_quote(a) for a in argv))
        self.command(*args)

    def kill(self, name: str, *, wait: float = 5.0) -> None:
        """End session `name` (no error when it is gone already) and wait up to `wait`
        seconds for its program to exit: margin writes its reading position on the way out,
        which must not land after the next run has set one."""
        pid = None
        with contextlib.suppress(TerminalError, ValueError, IndexError):
            pid = self.pane_pid(name)
        with contextlib.suppress(TerminalError):
            self.command("kill-session", "-t", name)
        deadline = time.perf_counter() + wait
        while pid is not None and time.perf_counter() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                break
            time.sleep(0.005)

    def screen(self, name: str, *, styled: bool = True) -> str:
        """What session `name` shows now; with `styled`, colours and attributes included."""
        flags = ["-p", "-e"] if styled else ["-p"]
        return "\n".join(self.command("capture-pane", *flags, "-t", name))

    def pane_pid(self, name: str) -> int:
        return int(self.command("display-message", "-p", "-t", name, "#{pane_pid}")[0])

    def pane_dead(self, name: str) -> bool:
        return self.command("display-message", "-p", "-t", name, "#{pane_dead}")[0] == "1"

    # -- measurements ----------------------------------------------------------------------------

    def launch(
        self,
        name: str,
        argv: Sequence[str],
        needle: str,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = 60.0,
    ) -> Launch:
        """Start `argv` and poll until `needle` is on screen: seconds from just before the
        session is made to the first poll that sees it, with the screens shown on the way.

        The session is left running (the caller kills it)."""
        screens: list[tuple[float, str]] = []
        started = time.perf_counter()
        self.start(name, argv, env)
        polls = 0
        while True:
            text = self.screen(name, styled=False)
            elapsed = time.perf_counter() - started
            if needle in text:
                return Launch(elapsed, screens)
            if not screens or screens[-1][1] != text:
                screens.append((elapsed, text))
            polls += 1
            if polls % 200 == 0 and self.pane_dead(name):
                raise TerminalError(f"{argv[0]} exited before showing {needle!r}:\n{text.strip()}")
            if elapsed > timeout:
                raise TerminalError(f"{needle!r} not on screen after {timeout:.0f} s:\n{text}")

    def settle(self, name: str, *, quiet: float = 0.15, limit: float = 5.0) -> bool:
        """Wait until the screen has not changed for `quiet` seconds; False after `limit`."""
        deadline = time.perf_counter() + limit
        last = self.screen(name)
        since = time.perf_counter()
        while True:
            time.sleep(0.01)
            now_screen = self.screen(name)
            now = time.perf_counter()
            if now_screen != last:
                last, since = now_screen, now
            elif now - since >= quiet:
                return True
            if now > deadline:
                return False

    def key_latency(
        self,
        name: str,
        key: str,
        *,
        signal: Callable[[str], object] | None = None,
        timeout: float = 2.0,
    ) -> float | None:
        """Send `key` and poll the screen until it changes: seconds, or None on timeout.

        `signal` extracts the part of the screen that must change (default: the whole
        screen, colours included; a signal sees the screen without them)."""
        part = signal or (lambda screen: screen)
        styled = signal is None
        before = part(self.screen(name, styled=styled))
        started = time.perf_counter()
        self.command("send-keys", "-t", name, key)
        while True:
            screen = self.screen(name, styled=styled)
            elapsed = time.perf_counter() - started
            if part(screen) != before:
                return elapsed
            if elapsed > timeout:
                return None

    def send(self, name: str, *keys: str) -> None:
        self.command("send-keys", "-t", name, *keys)

    def wait_for(self, name: str, test: Callable[[str], bool], timeout: float = 5.0) -> str:
        """Poll until `test(screen)` holds; the screen. Raises TerminalError on timeout."""
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.screen(name, styled=False)
            if test(screen):
                return screen
            if time.perf_counter() > deadline:
                raise TerminalError(f"screen not as expected after {timeout:.0f} s:\n{screen}")
            time.sleep(0.005)


def _sh_quote(arg: str) -> str:
    import shlex

    return shlex.quote(arg)


def peak_memory_mb(pid: int) -> float | None:
    """The peak resident memory (VmHWM) of process `pid` in MB, or None if it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
