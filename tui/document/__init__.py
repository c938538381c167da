"""Document loading: bytes or files in, one `Document` model out (text + blocks + marks).

Every format (plain text, Markdown, HTML) becomes the same thing: an NFC text with `\\n` line
ends, structural blocks, inline marks and sentences, all as code-point spans of the text.
This package never imports Textual.
"""

from tui.document.clean import clean_document
from tui.document.decode import decode_bytes, normalize_text
from tui.document.errors import DocumentError
from tui.document.invariants import document_problems
from tui.document.loaders import (
    FORMAT_BY_SUFFIX,
    FORMATS,
    SUPPORTED_SUFFIXES,
    LoadResult,
    format_for_name,
    load_bytes,
    load_path,
    sniff_format,
)
from tui.document.segment import segment_sentences

__all__ = [
    "FORMATS",
    "FORMAT_BY_SUFFIX",
    "SUPPORTED_SUFFIXES",
    "DocumentError",
    "LoadResult",
    "clean_document",
    "decode_bytes",
    "document_problems",
    "format_for_name",
    "load_bytes",
    "load_path",
    "normalize_text",
    "segment_sentences",
    "sniff_format",
]
