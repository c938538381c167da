"""Load a file or bytes (stdin) into a `Document`: decode, pick the format, render, segment.

This is the entry point the CLI and the reader call; the format readers and the decoder are
the pieces it puts together. It never imports Textual.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tui.document.builder import Rendered
from tui.document.clean import clean_document
from tui.document.decode import decode_bytes, normalize_text
from tui.document.errors import DocumentError
from tui.document.segment import segment_sentences
from tui.model import Document

#: File suffixes (lower case) and the format each is read as.
FORMAT_BY_SUFFIX: dict[str, str] = {
    ".txt": "text",
    ".text": "text",
    ".rst": "text",
    ".org": "text",
    ".adoc": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".mdown": "markdown",
    ".mkd": "markdown",
    ".mkdn": "markdown",
    ".mdwn": "markdown",
    ".mdtxt": "markdown",
    ".mdtext": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".shtml": "html",
}

#: Suffixes a folder import picks up.
SUPPORTED_SUFFIXES: frozenset[str] = frozenset(FORMAT_BY_SUFFIX)

#: The formats a document can have.
FORMATS: frozenset[str] = frozenset({"text", "markdown", "html"})

_FORMAT_ALIASES = {
    "txt": "text",
    "plain": "text",
    "plaintext": "text",
    "md": "markdown",
    "htm": "html",
    "xhtml": "html",
}

#: Files larger than this are refused rather than read into memory.
MAX_BYTES = 100 * 1024 * 1024
_MAX_TITLE = 200

_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html\b|head\b|body\b)", re.I | re.S
)
_HTML_TAGS = re.compile(r"<(?:html|head|body)\b[^>]*>", re.IGNORECASE)
_MD_HEADING = re.compile(r"^#{1,6}[ \t]+\S", re.MULTILINE)
_MD_FENCE = re.compile(r"^(?:```|~~~)", re.MULTILINE)
_MD_LINK = re.compile(r"!?\[[^\]\n]+\]\([^)\s]+[^)\n]*\)")
_MD_EMPHASIS = re.compile(r"(?:\*\*|__)\S[^\n]*?\S(?:\*\*|__)")


@dataclass(slots=True)
class LoadResult:
    """A loaded document; `removed` lists what `clean` removed, for the person to see."""

    document: Document
    removed: list[str] = field(default_factory=list)


def format_for_name(name: str) -> str | None:
    """The format a file name's suffix says ("text", "markdown", "html"), or None."""
    return FORMAT_BY_SUFFIX.get(Path(name).suffix.lower())


def normalize_format(fmt: str) -> str:
    """Accept "md", "txt", "htm"... for the three formats; raise `DocumentError` otherwise."""
    key = fmt.strip().lower().lstrip(".")
    key = _FORMAT_ALIASES.get(key, key)
    if key not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise DocumentError(f"unknown format {fmt!r} (known: {known})")
    return key


def sniff_format(text: str) -> str:
    """Guess the format of a text with no telling name: HTML, Markdown, or plain text."""
    head = text[:4000]
    if _HTML_START.match(head) or len(_HTML_TAGS.findall(head)) >= 2:
        return "html"
    sample = text[:20000]
    first = next((line for line in sample.split("\n") if line.strip()), "")
    score = (
        (1 if _MD_HEADING.search(sample) else 0)
        + (1 if _MD_FENCE.search(sample) else 0)
        + (1 if len(_MD_LINK.findall(sample)) >= 2 else 0)
        + (1 if len(_MD_EMPHASIS.findall(sample)) >= 2 else 0)
    )
    if _MD_HEADING.match(first) or score >= 2:
        return "markdown"
    return "text"


def load_path(path: Path, *, title: str | None = None, clean: bool = False) -> LoadResult:
    """Load a file as a document; its format comes from the suffix, else from its content.

    Raises `DocumentError` when it cannot be read or holds no text; the message gives the
    reason only (the caller knows which file it asked for).
    """
    path = Path(path).expanduser()
    try:
        if path.is_dir():
            raise DocumentError("this is a folder, not a file")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise DocumentError(f"the file is too large ({_megabytes(size)}; the limit is 100 MB)")
        data = path.read_bytes()
    except FileNotFoundError:
        raise DocumentError("no such file") from None
    except PermissionError:
        raise DocumentError("permission denied") from None
    except OSError as error:
        raise DocumentError(f"the file cannot be read ({error.strerror or error})") from None
    return load_bytes(
        data,
        name=path.name,
        fmt=format_for_name(path.name),
        title=title,
        clean=clean,
        source=str(path.resolve()),
    )


def load_bytes(
    data: bytes,
    *,
    name: str,
    fmt: str | None = None,
    title: str | None = None,
    clean: bool = False,
    source: str = "",
) -> LoadResult:
    """Load bytes (a file's, or stdin's with `name="-"`) as a document.

    `fmt` forces the format ("text", "markdown", "html"); without it the name's suffix or the
    content decides. `title` wins over the title found in the document. With `clean`,
    repeated paragraphs and caption lines are removed and described in `removed`.
    """
    chosen = normalize_format(fmt) if fmt else format_for_name(name)
    if not data:
        raise DocumentError("the file is empty")
    if len(data) > MAX_BYTES:
        raise DocumentError(f"the data is too large ({_megabytes(len(data))}; the limit is 100 MB)")
    raw, encoding = decode_bytes(data)
    text = normalize_text(raw)
    if not text.strip():
        raise DocumentError("the file holds only whitespace")
    chosen = chosen or sniff_format(text)
    rendered = _render(text, chosen)
    if not rendered.text.strip():
        raise DocumentError(f"no readable text found in this {_FORMAT_NAMES[chosen]}")

    metadata = {"encoding": encoding}
    metadata.update({k: v for k, v in rendered.metadata.items() if v})
    document = Document(
        text=rendered.text,
        title=_tidy_title(title) or _tidy_title(rendered.title) or _fallback_title(name),
        blocks=rendered.blocks,
        marks=rendered.marks,
        sentences=segment_sentences(rendered.text, rendered.blocks),
        source=source,
        format=chosen,
        metadata=metadata,
    )
    removed: list[str] = []
    if clean:
        document, removed = clean_document(document)
    return LoadResult(document, removed)


_FORMAT_NAMES = {"text": "text", "markdown": "Markdown file", "html": "page"}


def _render(text: str, fmt: str) -> Rendered:
    if fmt == "html":
        from tui.document.html import parse_html

        return parse_html(text)
    if fmt == "markdown":
        from tui.document.markdown import parse_markdown

        return parse_markdown(text)
    from tui.document.plaintext import parse_plaintext

    return parse_plaintext(text)


def _tidy_title(title: str | None) -> str:
    """Whitespace collapsed, at most 200 characters; "" for nothing."""
    if not title:
        return ""
    title = " ".join(title.split())
    if len(title) > _MAX_TITLE:
        title = title[: _MAX_TITLE - 1].rstrip() + "\u2026"
    return title


def _fallback_title(name: str) -> str:
    stem = Path(name).stem if name not in ("", "-") else ""
    return _tidy_title(stem) or "Untitled"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"
