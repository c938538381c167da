"""The `margin` command line: a thin click layer over the loaders, the store and the exporters.

Only click is imported at module level, so `margin --help` and `margin list` start quickly; every
command imports what it needs. `open` is the only command that imports Textual.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

if TYPE_CHECKING:
    from tui.model import Annotation, Document, DocumentInfo
    from tui.store import Store

F = TypeVar("F", bound=Callable[..., Any])

FORMAT_CHOICES = ("md", "json", "csv")
DOC_HELP = "DOC is a document id, the path it was imported from, or a unique title prefix."


def fail(message: str) -> NoReturn:
    """Stop with one line on stderr and exit status 1."""
    raise click.ClickException(message)


def friendly_errors(func: F) -> F:
    """Turn the errors margin expects (bad input, database trouble, I/O) into one clear line."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            # Only a loaded module can have raised its error class, so a command that never
            # loads documents (list, tags, search) does not pay for importing the loaders.
            expected = tuple(
                getattr(sys.modules[name], cls)
                for name, cls in (
                    ("tui.document.errors", "DocumentError"),
                    ("tui.store", "StoreError"),
                )
                if name in sys.modules
            )
            if isinstance(exc, expected):
                fail(str(exc))
            if isinstance(exc, OSError):
                where = f": {exc.filename}" if exc.filename else ""
                fail(f"{exc.strerror or exc}{where}")
            raise

    return wrapper  # type: ignore[return-value]


@contextmanager
def open_store(ctx: click.Context, *, read_only: bool = False) -> Iterator[Store]:
    """The store at the path chosen by --db, $MARGIN_DB or ./annotations.db."""
    from tui.paths import database_path
    from tui.store import Store, StoreError

    path = database_path(ctx.obj.get("db") if ctx.obj else None)
    if read_only and not path.exists():
        fail(f"no database at {path} yet: import a document first (margin import PATH)")
    if read_only:
        try:
            store = Store(path, read_only=True)
        except StoreError as err:
            if err.kind != "needs-upgrade":
                raise
            Store(path).close()  # made by an older margin: upgrade it once, then read
            store = Store(path, read_only=True)
    else:
        store = Store(path)
    try:
        yield store
    finally:
        store.close()


def resolve_doc(store: Store, ref: str) -> DocumentInfo:
    """The one document that `ref` names, or a clear error."""
    candidates = store.find_documents(ref)
    if not candidates:
        path = Path(ref).expanduser()
        if path.exists():
            candidates = store.find_documents(str(path.resolve()))
    if not candidates:
        fail(f"no document matches {ref!r} (see `margin list`)")
    if len(candidates) > 1:
        names = "; ".join(f"#{d.id} {d.title}" for d in candidates[:5])
        more = ", ..." if len(candidates) > 5 else ""
        fail(f"{ref!r} matches {len(candidates)} documents ({names}{more}); use an id")
    return candidates[0]


def write_stdout(text: str) -> None:
    """Write text exactly (click.echo would strip escape sequences that belong to the text)."""
    if text and not text.endswith("\n"):
        text += "\n"
    stream = sys.stdout
    stream.write(text)
    stream.flush()


def stdout_console() -> Any:
    """A rich console on stdout that styles only in a terminal and never interprets markup."""
    from rich.console import Console

    return Console(markup=False, emoji=False, highlight=False, soft_wrap=True)


class MarginGroup(click.Group):
    """A group where `margin PATH` and `margin DOC` mean `margin open PATH`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Insert `open` before a first argument that is not a command."""
        args = list(args)
        index = 0
        while index < len(args):
            arg = args[index]
            if arg == "--db":
                index += 2
                continue
            if arg.startswith("-"):
                index += 1
                continue
            if arg not in self.commands:
                args.insert(index, "open")
            break
        return super().parse_args(ctx, args)


@click.group(
    cls=MarginGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.option(
    "--db",
    type=click.Path(dir_okay=False, path_type=str),
    envvar="MARGIN_DB",
    help="Database file (default: $MARGIN_DB, else ./annotations.db).",
)
@click.version_option(package_name="margin", prog_name="margin")
@click.pass_context
def main(ctx: click.Context, db: str | None) -> None:
    """margin: read, highlight, tag and annotate articles in the terminal.

    \b
    Quick start:
      margin article.txt                read it in the reader (imported on first use)
      margin                            the library of documents you have imported
      margin import article.txt         store a document (txt, md, html, or - for stdin)
      margin annotate 1 --quote "..."   highlight a passage by its exact words
      margin export --format md         print your highlights as Markdown

    Everything is kept in one SQLite file, ./annotations.db unless --db or MARGIN_DB say otherwise.
    """
    ctx.ensure_object(dict)
    ctx.obj["db"] = db
    if ctx.invoked_subcommand is None:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            click.echo(ctx.get_help())
            return
        ctx.invoke(open_, doc=None, clean=None)


@main.command("open", short_help="Read a document (or a file, imported first) in the reader.")
@click.argument("doc", required=False)
@click.option(
    "--clean/--no-clean",
    default=None,
    help="When importing a file: remove repeated paragraphs and captions (see import).",
)
@click.pass_context
@friendly_errors
def open_(ctx: click.Context, doc: str | None, clean: bool | None) -> None:
    """Open DOC in the reader; without DOC, the library.

    DOC may also be a file that is not imported yet: it is imported first (and a file that
    changed since its import is re-imported, its annotations re-anchored). `margin PATH` is
    short for `margin open PATH`. Keys: ? shows them all; q quits.
    """
    import gc

    # Loading a book makes ~100,000 long-lived objects; collections while they are made cost
    # a fifth of the time to the first screen. The reader freezes them and turns the collector
    # back on once the annotations are shown (the app does so after a second in any case).
    gc.disable()
    from tui.config import ConfigError, load_config
    from tui.paths import config_path

    notices: list[str] = []
    try:
        config = load_config(config_path())
    except ConfigError as exc:
        from tui.config import Config

        config = Config()
        notices.append(f"config ignored: {exc}")
        click.echo(f"margin: config ignored: {exc}", err=True)
    document_id = None
    with open_store(ctx) as store:
        if doc is not None:
            path = Path(doc).expanduser()
            if path.is_file():
                size = path.stat().st_size
                if size > 1_000_000 and sys.stderr.isatty():
                    # Reading a book takes a moment: say so before the screen takes over.
                    click.echo(f"margin: opening {path.name} ({size / 1e6:.1f} MB)…", err=True)
                from tui.library import import_file

                report = import_file(store, path, clean=clean)
                document_id = report.document_id
                if report.action == "updated":
                    notices.append(report.summary())
                if report.action in ("added", "updated"):
                    notices.extend(report.removed)
            else:
                document_id = resolve_doc(store, doc).id
        from tui.ui.app import MarginApp

        MarginApp(store, document_id=document_id, config=config, notices=notices).run()


@main.command(short_help="Print the database (or config) path in use.")
@click.option("--config", "what", flag_value="config", help="Print the config file path instead.")
@click.option("--all", "what", flag_value="all", help="Print both, labelled.")
@click.pass_context
def locate(ctx: click.Context, what: str | None) -> None:
    """Print the path of the database in use and of the config file.

    In a terminal both are printed, labelled; piped, the database path alone (so that
    `$(margin locate)` works), unless --config or --all says otherwise.
    """
    from tui.paths import config_path, database_path

    db = database_path(ctx.obj.get("db"))
    if what is None and sys.stdout.isatty():
        what = "all"  # a person asking; scripts reading $(margin locate) get the bare path
    if what == "config":
        click.echo(str(config_path()))
    elif what == "all":
        click.echo(f"database: {db}{'' if db.exists() else ' (not created yet)'}")
        click.echo(f"config:   {config_path()}")
    else:
        click.echo(str(db))


@main.command("import", short_help="Import files, folders or stdin (re-imports re-anchor).")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--title", help="Title to use instead of the one found in the document.")
@click.option(
    "--clean/--no-clean",
    default=None,
    help="Remove consecutive duplicate paragraphs and repeated caption lines (and say what went). "
    "Re-imports keep the earlier choice unless given.",
)
@click.option(
    "--as",
    "fmt",
    type=click.Choice(["text", "markdown", "html"]),
    help="Read the input as this format (default: from the file name, else sniffed).",
)
@click.pass_context
@friendly_errors
def import_(
    ctx: click.Context,
    paths: tuple[str, ...],
    title: str | None,
    clean: bool | None,
    fmt: str | None,
) -> None:
    """Import documents: files, folders (every supported file in them), or - for standard input.

    Importing a file again is safe: if its text is unchanged nothing happens; if it changed, the
    text is replaced and its annotations are re-anchored, with a report of what moved and what
    needs review. Supported: plain text (any encoding), Markdown, HTML.
    """
    from tui.document import DocumentError
    from tui.library import expand_paths, import_file, import_stdin

    if title and (len(paths) > 1 or Path(paths[0]).is_dir()):
        fail("--title applies to a single file")
    if fmt and paths != ("-",):
        fail("--as applies to standard input (-) only; files are recognised by their name")
    failures = 0
    with open_store(ctx) as store:
        if "-" in paths:
            if len(paths) > 1:
                fail("- (standard input) cannot be combined with other paths")
            data = sys.stdin.buffer.read()
            report = import_stdin(store, data, title=title, clean=bool(clean), fmt=fmt)
            print_report(report)
            return
        for path in map(Path, paths):
            if not path.exists():
                fail(f"no such file or folder: {path}")
        files = list(expand_paths([Path(p) for p in paths]))
        if not files:
            fail("no supported files found (" + ", ".join(paths) + ")")
        for path, report in with_progress(
            files, lambda p: import_file(store, p, title=title, clean=clean)
        ):
            if isinstance(report, DocumentError):
                failures += 1
                click.echo(f"skipped {path}: {report}", err=True)
            else:
                print_report(report)
    if failures:
        fail(f"{failures} of {len(files)} files could not be imported")


def with_progress(files: list[Path], work: Callable[[Path], Any]) -> Iterator[tuple[Path, Any]]:
    """Run `work` on each file, showing a progress bar on a terminal when there are several.

    A file refused by the loaders yields its DocumentError instead of stopping the batch.
    """
    from tui.document import DocumentError

    def run(path: Path) -> Any:
        try:
            return work(path)
        except DocumentError as exc:
            return exc

    if len(files) < 2 or not sys.stderr.isatty():
        for path in files:
            yield path, run(path)
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("importing", total=len(files))
        for path in files:
            progress.update(task, description=f"importing {path.name}")
            result = run(path)
            progress.advance(task)
            yield path, result


def print_report(report: Any) -> None:
    """One line per document, then what --clean removed."""
    click.echo(report.summary())
    if report.action not in ("added", "updated"):
        return  # nothing was stored, so nothing was removed
    for line in report.removed:
        click.echo(f"  {line}")


@main.command("list", short_help="List documents with words, annotations, progress.")
@click.pass_context
@friendly_errors
def list_(ctx: click.Context) -> None:
    """List the documents: id, title, words, annotations, when imported and last read."""
    with open_store(ctx, read_only=True) as store:
        docs = store.list_documents()
    if not docs:
        click.echo("no documents yet: margin import PATH")
        return
    rows = [
        [
            str(d.id),
            d.title,
            f"{d.words:,}",
            f"{d.annotations:,}",
            f"{d.progress:.0%}",
            short_time(d.imported),
            short_time(d.last_read) or "never",
        ]
        for d in docs
    ]
    columns = ["id", "title", "words", "annotations", "read", "imported", "last read"]
    print_table(columns, rows, right={0, 2, 3, 4}, flexible=1)


def print_table(
    columns: list[str], rows: list[list[str]], *, right: set[int], flexible: int
) -> None:
    """Aligned columns, header in bold on a terminal. On a terminal the `flexible` column is
    cut to fit the width; piped, nothing is cut. Cells are shown with controls made visible.

    Plain formatting rather than rich's Table: a table of 1,000 documents renders in a few
    milliseconds instead of most of a second.
    """
    from tui.textsafe import visible

    def cell_len(text: str) -> int:
        if text.isascii():  # visible() has made controls printable: one cell each
            return len(text)
        from rich.cells import cell_len as wide_len

        return wide_len(text)

    cells = [[visible(cell).replace("\n", " ").replace("\t", " ") for cell in row] for row in rows]
    widths = [max([cell_len(c)] + [cell_len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    tty = sys.stdout.isatty()
    if tty:
        import shutil

        room = (
            shutil.get_terminal_size().columns
            - (sum(widths) - widths[flexible])
            - 2 * (len(columns) - 1)
        )
        widths[flexible] = max(min(widths[flexible], room), len(columns[flexible]))

    def fit(text: str, width: int) -> str:
        if cell_len(text) <= width:
            return text
        out, used = "", 0
        for char in text:
            if used + cell_len(char) > width - 1:
                break
            out += char
            used += cell_len(char)
        return out + "…"

    def line(values: list[str]) -> str:
        parts = []
        for i, value in enumerate(values):
            value = fit(value, widths[i]) if tty else value
            pad = " " * max(0, widths[i] - cell_len(value))
            parts.append(pad + value if i in right else value + pad)
        return "  ".join(parts).rstrip()

    header = line(columns)
    click.echo(click.style(header, bold=True) if tty else header)
    click.echo("\n".join(line(row) for row in cells))


def short_time(stamp: str) -> str:
    """ISO timestamp to 'YYYY-MM-DD HH:MM' in local time; empty stays empty."""
    if not stamp:
        return ""
    # margin's stamps are UTC ("...T17:59:03.123Z"): the local minute depends on the UTC minute
    # alone, so a list of 1,000 documents imported together converts a few times, not 2,000.
    if len(stamp) > 16 and stamp[16] == ":" and stamp.endswith("Z"):
        return _local_minute(stamp[:16] + ":00Z")
    return _local_minute(stamp)


@functools.lru_cache(maxsize=1024)
def _local_minute(stamp: str) -> str:
    from datetime import datetime

    try:
        local = datetime.fromisoformat(stamp).astimezone()
    except ValueError:
        return stamp
    return f"{local.year:04}-{local.month:02}-{local.day:02} {local.hour:02}:{local.minute:02}"


@main.command(short_help="Print a document, highlights styled in a terminal.")
@click.argument("doc")
@click.option("--plain", is_flag=True, help="No styling, even in a terminal.")
@click.pass_context
@friendly_errors
def show(ctx: click.Context, doc: str, plain: bool) -> None:
    """Print a document's text; in a terminal, highlights and tags are shown styled.

    DOC is a document id, the path it was imported from, or a unique title prefix.
    """
    with open_store(ctx, read_only=True) as store:
        document = store.get_document(resolve_doc(store, doc).id)
        annotations = store.annotations_for(document.id or 0)
    console = stdout_console()
    if plain or not console.is_terminal:
        write_stdout(document.text)
        return
    console.print(styled_text(document, annotations))


def styled_text(document: Document, annotations: Sequence[Annotation]) -> Any:
    """The document as a rich Text: highlights as background spans, tags after each passage.

    Text is data here: the document and tag names become plain Text, never console markup.
    """
    from rich.text import Text

    from tui.textsafe import visible

    backgrounds = {
        "yellow": "on #5f5f00",
        "green": "on #005f00",
        "blue": "on #00005f",
        "pink": "on #5f005f",
        "purple": "on #3a005f",
    }
    out = Text()
    pos = 0
    placed = sorted((a for a in annotations if a.placed), key=lambda a: (a.start, a.end))
    for ann in placed:
        if ann.start < pos:
            continue  # overlapping highlights: the earlier one is shown whole
        out.append(visible(document.text[pos : ann.start]))
        out.append(
            visible(document.text[ann.start : ann.end]), style=backgrounds.get(ann.color, "reverse")
        )
        if ann.tags:
            out.append(" " + " ".join("#" + t for t in ann.tags), style="bold cyan")
        if ann.note:
            out.append(" ✎", style="bold magenta")
        pos = ann.end
    out.append(visible(document.text[pos:]))
    return out


@main.command(short_help="Highlight a passage by its quote; tag and note it.")
@click.argument("doc")
@click.option(
    "--quote", "-q", required=True, help="The exact words to annotate, as they stand in the text."
)
@click.option(
    "--occurrence",
    "-n",
    type=click.IntRange(min=1),
    help="Which occurrence, if the quote repeats (1 = first).",
)
@click.option(
    "--tag", "-t", "tags", multiple=True, help="Tag to apply (repeatable); new tags are created."
)
@click.option("--note", help="A note on the passage.")
@click.option("--color", "-c", help="Highlight colour: yellow, green, blue, pink or purple.")
@click.pass_context
@friendly_errors
def annotate(
    ctx: click.Context,
    doc: str,
    quote: str,
    occurrence: int | None,
    tags: tuple[str, ...],
    note: str | None,
    color: str | None,
) -> None:
    """Highlight a passage of DOC found by its exact quote, with optional tags, note and colour.

    Whitespace in QUOTE matches any run of whitespace in the text (so a quote copied across a line
    break still matches). A quote found several times needs --occurrence.
    DOC is a document id, the path it was imported from, or a unique title prefix.
    """
    from tui.anchoring import make_anchor
    from tui.model import COLORS, DEFAULT_COLOR
    from tui.textsafe import excerpt

    if color and color.lower() not in COLORS:
        fail(f"unknown colour {color!r}; choose one of {', '.join(COLORS)}")
    if not quote.strip():
        fail("the quote is empty")
    with open_store(ctx) as store:
        document = store.get_document(resolve_doc(store, doc).id)
        spans = find_quote(document.text, quote)
        if not spans:
            fail(f"quote not found in #{document.id} {document.title!r}: {excerpt(quote, 60)!r}")
        if occurrence is None and len(spans) > 1:
            fail(f"quote found {len(spans)} times; choose one with --occurrence 1..{len(spans)}")
        index = (occurrence or 1) - 1
        if index >= len(spans):
            fail(f"--occurrence {occurrence}: the quote is found only {len(spans)} time(s)")
        start, end = spans[index]
        ann = store.add_annotation(
            document.id or 0,
            make_anchor(document.text, start, end),
            color=(color or DEFAULT_COLOR).lower(),
            note=note or "",
            tags=list(tags),
        )
    tag_text = " " + " ".join("#" + t for t in ann.tags) if ann.tags else ""
    click.echo(f"annotation {ann.id} on #{document.id} at {ann.start}-{ann.end}{tag_text}")


def find_quote(text: str, quote: str) -> list[tuple[int, int]]:
    """Spans of `quote` in `text`: exact matches, else matches where whitespace runs may differ."""
    import unicodedata

    quote = unicodedata.normalize("NFC", quote.strip())
    spans = []
    start = text.find(quote)
    while start != -1:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    if spans:
        return spans
    pattern = r"\s+".join(re.escape(word) for word in quote.split())
    return [m.span() for m in re.finditer(pattern, text)]


@main.command(short_help="List tags with quick keys and counts.")
@click.pass_context
@friendly_errors
def tags(ctx: click.Context) -> None:
    """List the tags with their quick keys (1-9) and how many annotations use them."""
    with open_store(ctx, read_only=True) as store:
        rows = store.list_tags()
    if not rows:
        click.echo("no tags yet: margin annotate DOC --quote TEXT --tag NAME")
        return
    table = [
        ["" if tag.key is None else str(tag.key), tag.name, f"{tag.count:,}", tag.description]
        for tag in rows
    ]
    print_table(["key", "tag", "uses", "description"], table, right={0, 2}, flexible=3)


@main.command(short_help="Full-text search over quotes, notes and documents.")
@click.argument("query")
@click.option("--doc", "doc_ref", help="Search only this document.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@click.pass_context
@friendly_errors
def search(ctx: click.Context, query: str, doc_ref: str | None, limit: int) -> None:
    """Full-text search over quotes, notes and document text.

    Every word of QUERY must appear (in any order); punctuation is taken literally.
    """
    from rich.text import Text

    from tui.textsafe import visible

    with open_store(ctx, read_only=True) as store:
        doc_id = resolve_doc(store, doc_ref).id if doc_ref else None
        hits = store.search(query, limit=limit, document_id=doc_id)
    if not hits:
        click.echo("no matches", err=True)
        ctx.exit(1)
    console = stdout_console()
    for hit in hits:
        where = f"#{hit.document_id} {hit.document_title}"
        if hit.annotation_id is not None:
            where += f" · annotation {hit.annotation_id}"
        line = Text(f"{hit.kind:8} ", style="dim")
        line.append(where, style="bold")
        console.print(line)
        context = Text("    " + visible(hit.context.replace("\n", " ")))
        for start, end in hit.spans:
            context.stylize("bold reverse", start + 4, end + 4)
        console.print(context)


@main.command(short_help="Export annotations as Markdown, W3C JSON or CSV.")
@click.argument("docs", nargs=-1)
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(FORMAT_CHOICES),
    help="md (Markdown), json (W3C Web Annotation) or csv. Default: from -o's suffix, else md.",
)
@click.option(
    "--tag",
    "-t",
    "tag_filter",
    multiple=True,
    help="Only annotations with this tag (repeatable: any of them).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of standard output.",
)
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@click.pass_context
@friendly_errors
def export(
    ctx: click.Context,
    docs: tuple[str, ...],
    fmt: str | None,
    tag_filter: tuple[str, ...],
    output: Path | None,
    force: bool,
) -> None:
    """Export annotations of the given documents (default: all) as Markdown, W3C JSON or CSV.

    DOC is a document id, the path it was imported from, or a unique title prefix.
    """
    from tui.export import export as run_export
    from tui.library import export_items

    if fmt is None:
        suffix = output.suffix.lower().lstrip(".") if output else ""
        fmt = {"md": "md", "markdown": "md", "json": "json", "jsonld": "json", "csv": "csv"}.get(
            suffix, "md"
        )
    if output and output.exists() and not force:
        fail(f"{output} exists; use --force to overwrite it")
    with open_store(ctx, read_only=True) as store:
        infos = [resolve_doc(store, ref) for ref in docs] if docs else store.list_documents()
        ids = list(dict.fromkeys(d.id for d in infos))
        # Named documents are exported even when bare; "everything" means what has annotations.
        items = export_items(store, ids, list(tag_filter), keep_bare=bool(docs) and not tag_filter)
    text = run_export(fmt, items)
    if output is None:
        write_stdout(text)
        return
    from tui.fileio import write_atomically

    write_atomically(output, text)
    count = sum(len(anns) for _, anns in items)
    click.echo(f"wrote {count} annotation(s) from {len(items)} document(s) to {output}", err=True)
