"""margin's SQLite store: documents, annotations, tags and full-text search.

`Store` takes and returns the dataclasses of `tui.model`; every failure is a `StoreError`
with a one-line message. Never imports Textual, `tui.document` or `tui.anchoring`.
"""

from tui.store.errors import InvalidInputError, NotFoundError, StoreError
from tui.store.schema import SCHEMA_VERSION
from tui.store.store import Store, normalize_tag_name

__all__ = [
    "SCHEMA_VERSION",
    "InvalidInputError",
    "NotFoundError",
    "Store",
    "StoreError",
    "normalize_tag_name",
]
