"""The store's exceptions, and the translation of SQLite errors into one-line messages."""

from __future__ import annotations

import sqlite3

#: What went wrong, for callers that react differently (exit codes, retry prompts).
ERROR_KINDS = (
    "error",  # anything else
    "not-found",  # no such document, annotation or tag
    "invalid",  # bad argument: empty tag name, span outside the text, unknown status
    "conflict",  # a uniqueness rule: tag name or quick key taken, uuid already present
    "locked",  # another program holds the write lock longer than the busy timeout
    "read-only",  # opened read-only, or the file/folder cannot be written
    "corrupt",  # not a database, or a damaged one
    "full",  # the disk (or the page limit) is full
    "newer",  # written by a newer margin: refused, never modified
    "foreign",  # a SQLite database that belongs to another program
    "missing",  # the file or its folder does not exist
    "closed",  # the store was closed
    "needs-upgrade",  # opened read-only, but written by an older margin: open it writable once
)


class StoreError(Exception):
    """A store operation failed; `str(err)` is a one-line message fit to show a person.

    `kind` is one of `ERROR_KINDS`. Nothing was changed when a write raises this.
    """

    def __init__(self, message: str, *, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


class NotFoundError(StoreError, LookupError):
    """No document, annotation or tag with that id or name."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="not-found")


class InvalidInputError(StoreError, ValueError):
    """An argument the store cannot accept (empty tag name, span outside the text...)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, kind="invalid")


def translate(exc: sqlite3.Error, path: str) -> StoreError:
    """Turn a sqlite3 exception into a StoreError with a one-line human message."""
    text = str(exc).strip() or type(exc).__name__
    low = text.lower()
    where = path if path != ":memory:" else "the in-memory database"
    if "database or disk is full" in low or "disk is full" in low:
        return StoreError(f"the disk holding {where} is full; nothing was saved", kind="full")
    if "locked" in low or "busy" in low:
        return StoreError(
            f"{where} is locked by another program (is margin open elsewhere?); try again",
            kind="locked",
        )
    if "readonly" in low or "read-only" in low:
        return StoreError(
            f"{where} cannot be written (read-only); nothing was saved", kind="read-only"
        )
    if "not a database" in low or "malformed" in low or "corrupt" in low:
        return StoreError(
            f"{where} is not a margin database or is damaged ({text})", kind="corrupt"
        )
    if "unable to open" in low or "cannot open" in low:
        return StoreError(f"cannot open {where} ({text})", kind="missing")
    if "closed" in low:
        return StoreError("the database is closed", kind="closed")
    if isinstance(exc, sqlite3.IntegrityError):
        return StoreError(f"refused by the database: {text}", kind="conflict")
    return StoreError(f"database error on {where}: {text}")
