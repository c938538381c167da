"""margin's benchmark suite: every figure of issue 4, beside its target and its baselines.

    python -m benchmarks                 # every figure, 5 runs each; writes docs/performance.md
    python -m benchmarks --quick         # 2 runs each
    python -m benchmarks --only keys,cli-search --runs 3   # groups or figures (no file written
                                                           # unless --write)

Launch and key figures are measured in a real terminal (a private tmux server); command-line
figures as whole processes. The library database (1,000 documents, 100,000 annotations) is
made once and kept in benchmarks/.cache/.
"""

from __future__ import annotations

import argparse
import bisect
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import datetime
from importlib import metadata
from pathlib import Path

from benchmarks import populate
from benchmarks.emptyapp import TEXT as EMPTY_TEXT
from benchmarks.figures import BY_NAME, FIGURES, GROUPS, Result, ratio, show, target_text, verdict
from benchmarks.terminal import TerminalError, Tmux, peak_memory_mb

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "benchmarks" / ".cache"
CORPUS = ROOT.parent / "shared" / "corpus" / "texts"
WAR_AND_PEACE = CORPUS / "pg2600-war-and-peace-en.txt"
NEEDLE = "Louise and Aylmer"  # on War and Peace's first screen, not in its title
BOOK_FIRST_LINE = "Project Gutenberg EBook"
BIG_BYTES = 10_000_000
BOOK_ANNOTATIONS = 10_000
LIBRARY = (1000, 100_000)
KEYS_PER_RUN = 10
SEARCH_QUERIES = ("kutuzov", "natasha", "pierre", "moscow", "borodino")
STATUS = re.compile(r"^ ?\d+% · .*$", re.MULTILINE)
COUNT = re.compile(r"^ ?\d+% · ([\d,]+) annotations", re.MULTILINE)


def status_line(screen: str) -> str:
    match = STATUS.search(screen)
    return match.group(0) if match else ""


def annotation_count(screen: str) -> int | None:
    match = COUNT.search(screen)
    return int(match.group(1).replace(",", "")) if match else None


class Bench:
    """The run's workspace: databases, files, the environment and the results."""

    def __init__(self, runs: int, tmp: Path, log: Callable[[str], None]) -> None:
        self.runs = runs
        self.tmp = tmp
        self.log = log
        bindir = Path(sys.executable).parent
        self.python = sys.executable
        self.margin = str(bindir / "margin")
        self.env = {
            "MARGIN_CONFIG": str(tmp / "no-config.toml"),  # the defaults, whatever the user has
            "LESS": "",
            "LESSOPEN": "",
            "LESSHISTFILE": "-",
            # Python writes and reuses .pyc files unless told otherwise; an installed margin
            # runs from them, so the figures must too (an empty value counts as unset).
            "PYTHONDONTWRITEBYTECODE": "",
        }
        self.results = {f.name: Result(f) for f in FIGURES}
        self._dbs: dict[str, tuple[Path, int]] = {}
        self._tmux: Tmux | None = None
        self._count = 0

    # -- helpers ---------------------------------------------------------------------------------

    def add(self, name: str, value: float | None, note: str = "") -> None:
        result = self.results[name]
        if value is not None:
            result.samples.append(value)
        if note and note not in result.notes:
            result.notes.append(note)

    def whole(self, argv: list[str]) -> float:
        """Seconds a command takes as a whole process (its output thrown away)."""
        env = {**os.environ, **self.env}
        started = time.perf_counter()
        proc = subprocess.run(
            argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=self.tmp
        )
        elapsed = time.perf_counter() - started
        if proc.returncode:
            raise RuntimeError(f"{' '.join(argv)} failed: {proc.stderr.decode()[-500:]}")
        return elapsed

    def session(self) -> str:
        self._count += 1
        return f"b{self._count}"

    @property
    def tmux(self) -> Tmux:
        if self._tmux is None:
            self._tmux = Tmux(120, 40).__enter__()
        return self._tmux

    def close(self) -> None:
        if self._tmux is not None:
            self._tmux.close()
            self._tmux = None

    def launch(self, argv: list[str], needle: str, **kw: float):  # noqa: ANN201
        name = self.session()
        return name, self.tmux.launch(name, argv, needle, env=self.env, **kw)

    # -- databases -------------------------------------------------------------------------------

    def book_db(self, annotations: int) -> tuple[Path, int]:
        """A database with War and Peace imported and `annotations` annotations on it."""
        key = f"book-{annotations}"
        if key not in self._dbs:
            from tui.library import import_file
            from tui.store import Store

            path = self.tmp / f"{key}.db"
            with Store(path) as store:
                if annotations:
                    doc_id = populate.populate_document(store, WAR_AND_PEACE, annotations)
                else:
                    doc_id = import_file(store, WAR_AND_PEACE).document_id
            self._dbs[key] = (path, doc_id)
        return self._dbs[key]

    def library_db(self) -> Path:
        """The 1,000-document library, cached across runs (keyed by the code that makes it)."""
        digest = hashlib.sha256()
        for source in (Path(populate.__file__), ROOT / "tui" / "store" / "schema.py"):
            digest.update(source.read_bytes())
        documents, annotations = LIBRARY
        path = CACHE / f"library-{documents}-{annotations}-{digest.hexdigest()[:12]}.db"
        if not path.exists():
            from tui.store import Store

            CACHE.mkdir(parents=True, exist_ok=True)
            for old in CACHE.glob("library-*.db*"):
                old.unlink()
            self.log(f"  making the library ({documents:,} documents, {annotations:,} annotations)")
            partial = path.with_suffix(".partial")
            with Store(partial) as store:
                populate.populate_library(
                    store, documents, annotations, corpus=WAR_AND_PEACE, progress=False
                )
            partial.rename(path)
            for suffix in ("-wal", "-shm"):
                Path(str(partial) + suffix).unlink(missing_ok=True)
        return path

    def big_book(self) -> Path:
        """War and Peace repeated to 10 MB, cut at a line end."""
        path = self.tmp / "big-book.txt"
        if not path.exists():
            data = WAR_AND_PEACE.read_bytes()
            whole = data * (BIG_BYTES // len(data) + 1)
            path.write_bytes(whole[: whole.rindex(b"\n", 0, BIG_BYTES) + 1])
        return path

    # -- groups ----------------------------------------------------------------------------------

    def group_python(self) -> None:
        for argv in ([self.python, "-c", "pass"], [self.python, "-c", "import click"]):
            self.whole(argv)
        for _ in range(self.runs * 2):
            self.add("python-pass", self.whole([self.python, "-c", "pass"]))
            self.add("python-click", self.whole([self.python, "-c", "import click"]))

    def group_empty_app(self) -> None:
        for run in range(self.runs + 1):
            self.empty_app(keep=bool(run))  # the first launch only warms the caches

    def empty_app(self, *, keep: bool = True) -> None:
        """One launch of the empty Textual app. The launch groups call this between their own
        launches too: on a shared machine the floor moves by a third from minute to minute,
        and a ratio means something only against a baseline taken at the same time."""
        argv = [self.python, str(ROOT / "benchmarks" / "emptyapp.py")]
        name, shown = self.launch(argv, EMPTY_TEXT)
        self.tmux.kill(name)
        if keep:
            self.add("empty-textual", shown.seconds)

    def group_less(self) -> None:
        less = shutil.which("less")
        if less is None:
            for name in ("less-launch", "less-key-space", "less-key-j"):
                self.results[name].missing = "less is not installed"
            return
        for run in range(self.runs + 1):
            name, shown = self.launch([less, str(WAR_AND_PEACE)], NEEDLE)
            try:
                if run:
                    self.add("less-launch", shown.seconds)
                    self.keys(name, "Space", "less-key-space")
                    self.keys(name, "j", "less-key-j")
            finally:
                self.tmux.kill(name)

    def keys(self, name: str, key: str, figure: str, *, between: str = "") -> None:
        """KEYS_PER_RUN presses of `key`, each once the screen is still; `between` is sent
        (unmeasured) after each, e.g. to come back from the end."""
        tmux = self.tmux
        for _ in range(KEYS_PER_RUN):
            tmux.settle(name, quiet=0.1)
            latency = tmux.key_latency(name, key)
            note = "some presses changed nothing within 2 s (left out)" if latency is None else ""
            self.add(figure, latency, note)
            if between:
                tmux.settle(name, quiet=0.1)
                tmux.send(name, between)

    def group_reopen(self) -> None:
        from tui.store import Store

        db, doc_id = self.book_db(0)
        ways = {
            "reopen-id": [self.margin, "--db", str(db), "open", str(doc_id)],
            "reopen-path": [self.margin, "--db", str(db), str(WAR_AND_PEACE)],
        }
        for run in range(self.runs + 1):
            for figure, argv in ways.items():
                with Store(db) as store:
                    store.set_position(doc_id, 0)
                name, shown = self.launch(argv, NEEDLE)
                self.tmux.kill(name)
                if run:
                    self.add(figure, shown.seconds)
                    self.empty_app()

    def group_first_open(self) -> None:
        for run in range(self.runs + 1):
            db = self.tmp / f"first-{run}.db"
            name, shown = self.launch([self.margin, "--db", str(db), str(WAR_AND_PEACE)], NEEDLE)
            self.tmux.kill(name)
            if run:
                self.add("first-open", shown.seconds)
                self.empty_app()

    def group_big(self) -> None:
        book = self.big_book()
        for run in range(self.runs + 1):
            db = self.tmp / f"big-{run}.db"
            name, shown = self.launch(
                [self.margin, "--db", str(db), str(book)], NEEDLE, timeout=120
            )
            try:
                pid = self.tmux.pane_pid(name)
                at_text = peak_memory_mb(pid)
                self.tmux.settle(name, quiet=0.5, limit=5)
                settled = peak_memory_mb(pid)
            finally:
                self.tmux.kill(name)
            if not run:
                continue
            self.add("first-open-10mb", shown.seconds)
            peak = max((m for m in (at_text, settled) if m is not None), default=None)
            self.add("memory-10mb", peak)
            # Progress is anything on screen before the text that is not the text being drawn.
            shown_first = [
                (t, s) for t, s in shown.screens if s.strip() and BOOK_FIRST_LINE not in s
            ]
            if shown_first:
                t, screen = shown_first[0]
                first = next(line.strip() for line in screen.splitlines() if line.strip())
                self.add("first-open-10mb", None, f"progress shown after {t:.2f} s: {first[:60]!r}")
            elif shown.seconds > 0.5:
                self.add("first-open-10mb", None, "FAIL: over 0.5 s and no progress shown")

    def group_keys(self) -> None:
        from tui.store import Store

        db, doc_id = self.book_db(BOOK_ANNOTATIONS)
        with Store(db) as store:
            doc = store.get_document(doc_id)
            placed = [(a.start, a.end) for a in store.annotations_for(doc_id)]
            gap = free_sentence(doc.sentences, placed, len(doc.sentences) // 2)
        queries = searchable(doc.text, SEARCH_QUERIES)
        for _ in range(self.runs):
            with Store(db) as store:
                store.set_position(doc_id, gap)
            name, _shown = self.launch([self.margin, "--db", str(db), "open", str(doc_id)], "%")
            try:
                self.tmux.settle(name, quiet=0.3, limit=10)
                self.quick_tag(name)
                self.search(name, queries)
                self.keys(name, "j", "key-j")
                self.keys(name, "Space", "key-space")
                self.keys(name, "]", "key-next-ann")
                self.keys(name, "G", "key-G", between="g")
            finally:
                self.tmux.kill(name)

    def quick_tag(self, name: str) -> None:
        """`1` on a passage without a highlight: time to the status line's count going up,
        then `u` takes it back. On a passage already highlighted, `1` toggles a tag instead;
        that press is undone and the cursor moves on (not counted)."""
        tmux = self.tmux
        got = tries = 0
        while got < KEYS_PER_RUN and tries < 3 * KEYS_PER_RUN:
            tries += 1
            tmux.settle(name, quiet=0.1)
            before = annotation_count(tmux.screen(name, styled=False))
            latency = tmux.key_latency(name, "1", signal=annotation_count, timeout=1.0)
            tmux.settle(name, quiet=0.1)
            tmux.send(name, "u")
            if latency is None:
                tmux.settle(name, quiet=0.1)
                tmux.send(name, "j")
                continue
            tmux.wait_for(name, lambda s, b=before: annotation_count(s) == b)
            self.add("key-quick-tag", latency)
            got += 1
        if got < KEYS_PER_RUN:
            self.add(
                "key-quick-tag", None, f"only {got} of {KEYS_PER_RUN} presses made a highlight"
            )

    def search(self, name: str, queries: list[tuple[str, list[bool]]]) -> None:
        """Type queries after `/`; each character that changes the matches is timed to the
        status line changing."""
        tmux = self.tmux
        got = 0
        for query, changes in queries * 3:
            if got >= KEYS_PER_RUN:
                break
            tmux.settle(name, quiet=0.1)
            tmux.send(name, "/")
            for char, measured in zip(query, changes, strict=True):
                tmux.settle(name, quiet=0.1)
                if not measured:
                    tmux.send(name, char)
                    continue
                latency = tmux.key_latency(name, char, signal=status_line)
                if latency is None:
                    self.add("search-char", None, "some characters changed nothing in 2 s")
                else:
                    self.add("search-char", latency)
                    got += 1
            tmux.settle(name, quiet=0.1)
            tmux.send(name, "Escape")

    def group_cli(self) -> None:
        db = str(self.library_db())
        commands = {
            "cli-search": [self.margin, "--db", db, "search", populate.CODEBOOK[0]],
            "cli-export-md": [self.margin, "--db", db, "export", "--format", "md"],
            "cli-list": [self.margin, "--db", db, "list"],
            "cli-help": [self.margin, "--help"],
        }
        for argv in commands.values():
            self.whole(argv)
        for _ in range(self.runs):
            for figure, argv in commands.items():
                self.add(figure, self.whole(argv))
                # The baselines again, at the same moment (see empty_app).
                self.add("python-pass", self.whole([self.python, "-c", "pass"]))
                self.add("python-click", self.whole([self.python, "-c", "import click"]))


TERMINAL_GROUPS = {"empty-app", "less", "reopen", "first-open", "big", "keys"}


def free_sentence(
    sentences: list[tuple[int, int]], spans: list[tuple[int, int]], first: int
) -> int:
    """The start of the first sentence from index `first` on that no annotation touches."""
    spans = sorted(spans)
    starts = [s for s, _ in spans]
    for start, end in sentences[first:]:
        i = bisect.bisect_left(starts, end)
        if all(e <= start for _, e in spans[max(0, i - 50) : i]):
            return start
    return sentences[first][0] if sentences else 0


def searchable(text: str, queries: Iterable[str]) -> list[tuple[str, list[bool]]]:
    """Queries with, per typed character, whether it changes the number of matches (only
    those are timed: an unchanged count leaves the status line as it was)."""
    folded = text.casefold()
    out = []
    for query in queries:
        counts = [min(folded.count(query[: i + 1]), 50_000) for i in range(len(query))]
        changes = [True] + [a != b for a, b in zip(counts, counts[1:], strict=False)]
        if counts[-1]:
            out.append((query, changes))
    return out


# -- the report ----------------------------------------------------------------------------------


def table(results: dict[str, Result], names: list[str]) -> list[str]:
    head = ["figure", "median", "worst", "target", "baseline", "ratio", "result"]
    rows = [head, ["---"] * len(head)]
    for name in names:
        res = results[name]
        fig = res.figure
        r = ratio(res, results)
        rows.append(
            [
                f"{fig.label} (`{name}`)",
                show(res.median, fig.unit),
                show(res.worst, fig.unit),
                target_text(fig),
                (fig.baseline or "")
                + (
                    f" {show(results[fig.baseline].median, results[fig.baseline].figure.unit)}"
                    if fig.baseline and results[fig.baseline].median is not None
                    else ""
                ),
                f"{r:.2f}×" if r is not None else "–",
                res.missing or verdict(res, results),
            ]
        )
    return ["| " + " | ".join(row) + " |" for row in rows]


def notes(results: dict[str, Result], names: list[str]) -> list[str]:
    out = []
    for name in names:
        res = results[name]
        for note in ([f"not measured: {res.missing}"] if res.missing else []) + res.notes:
            out.append(f"- `{name}`: {note}")
    return out


def machine() -> list[str]:
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    except OSError:
        commit = ""
    return [
        f"- date: {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Textual {metadata.version('textual')}, "
        f"margin {metadata.version('margin')}" + (f" (git {commit})" if commit else ""),
    ]


#: Everything after this line in the report is written by hand and kept across runs.
KEPT = "<!-- Below this line is written by hand; python -m benchmarks keeps it. -->"


def write_report(path: Path, lines: list[str]) -> None:
    """Write the generated report, keeping the hand-written part of the old one."""
    kept = ""
    if path.is_file():
        old = path.read_text(encoding="utf-8")
        if KEPT in old:
            kept = KEPT + old.split(KEPT, 1)[1]
    text = "\n".join(lines) + "\n"
    path.write_text(text + ("\n" + kept if kept else ""), encoding="utf-8")


def compile_margin() -> None:
    """Byte-compile margin's modules, as `pip install` does, so no figure pays for compiling.

    An editable install (and a shell with PYTHONDONTWRITEBYTECODE set) would otherwise leave
    every launch compiling margin from source, which no installed copy ever does.
    """
    import compileall

    compileall.compile_dir(ROOT / "tui", quiet=1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="2 runs of each figure")
    parser.add_argument("--runs", type=int, help="runs of each figure (default 5)")
    parser.add_argument("--only", help="comma-separated groups or figures: " + ", ".join(GROUPS))
    parser.add_argument("--write", action="store_true", help="write the report even with --only")
    parser.add_argument(
        "--output", type=Path, default=ROOT / "docs" / "performance.md", help="the report file"
    )
    args = parser.parse_args(argv)
    runs = args.runs or (2 if args.quick else 5)
    wanted = {name.strip() for name in (args.only or "").split(",") if name.strip()}
    unknown = wanted - set(GROUPS) - set(BY_NAME)
    if unknown:
        parser.error(f"unknown figure or group: {', '.join(sorted(unknown))}")
    chosen = [f for f in FIGURES if not wanted or f.name in wanted or f.group in wanted]
    for fig in list(chosen):  # the baselines the chosen figures are compared with
        if fig.baseline and BY_NAME[fig.baseline] not in chosen:
            chosen.append(BY_NAME[fig.baseline])
    groups = [g for g in GROUPS if any(f.group == g for f in chosen)]
    names = [f.name for f in FIGURES if f in chosen]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    compile_margin()
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as tmp:
        bench = Bench(runs, Path(tmp), log)
        missing_terminal = None if shutil.which("tmux") else "tmux is not installed"
        if not WAR_AND_PEACE.is_file():
            log(f"War and Peace is not at {WAR_AND_PEACE}; figures that need it are skipped")
        try:
            for group in groups:
                figures = [f.name for f in FIGURES if f.group == group]
                if group in TERMINAL_GROUPS and missing_terminal:
                    for name in figures:
                        bench.results[name].missing = missing_terminal
                    continue
                if group != "python" and not WAR_AND_PEACE.is_file():
                    for name in figures:
                        bench.results[name].missing = f"{WAR_AND_PEACE} is missing"
                    continue
                log(f"{group} ...")
                t0 = time.perf_counter()
                try:
                    getattr(bench, "group_" + group.replace("-", "_"))()
                except (TerminalError, RuntimeError, OSError) as exc:
                    traceback.print_exc()
                    first = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
                    for name in figures:
                        if not bench.results[name].samples:
                            bench.results[name].missing = f"error: {first}"
                log(f"{group}: {time.perf_counter() - t0:.1f} s")
        finally:
            bench.close()
    elapsed = time.perf_counter() - started
    flags = " ".join(a for a in (argv if argv is not None else sys.argv[1:]))
    lines = [
        "# margin performance",
        "",
        "Written by `python -m benchmarks" + (f" {flags}" if flags else "") + "`"
        f" ({runs} runs of each figure; the whole run took {elapsed:.0f} s). Launch and key"
        " figures are measured in a real terminal (tmux, 120×40): launch is from just before"
        " the tmux session is made to the first screen capture that shows the text; a key is"
        " from `send-keys` to the first capture that differs. Command-line figures are whole"
        " processes, run from byte-compiled modules as an installed margin is. The empty"
        " Textual app is also launched between the launches of margin, and the Python baselines"
        " are run between margin's commands, so that their medians span the same minutes as"
        " the figures. Targets are"
        " those of issue 4 (`benchmarks/figures.py`).",
        "",
        *machine(),
        "",
        *table(bench.results, names),
    ]
    extra = notes(bench.results, names)
    if extra:
        lines += ["", "Notes:", "", *extra]
    print("\n".join(lines))
    if not wanted or args.write:
        write_report(args.output, lines)
        log(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
