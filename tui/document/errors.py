"""The one exception the document package raises for input it cannot read."""

from __future__ import annotations


class DocumentError(Exception):
    """A file or byte string that cannot be loaded as a document.

    `str(error)` is a one-line, human reason that the CLI and the UI show as it is.
    """
