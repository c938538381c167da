"""CSV export: one row per annotation, for spreadsheets and qualitative-analysis tools.

RFC 4180: comma-separated, `\\r\\n` row ends, fields quoted only when they hold a comma, a quote
or a line break (multi-line quotes and notes stay in one field). Named `csvfile` so that it can
never be mistaken for the standard library's `csv` module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from tui.export._common import Item, is_placed, iso_timestamp, passage, split_sorted

#: The header row, in order.
COLUMNS: tuple[str, ...] = (
    "document_id",
    "title",
    "start",
    "end",
    "quote",
    "tags",
    "note",
    "color",
    "status",
    "created",
    "updated",
    "annotation_id",
)

#: How the names in the `tags` column are joined.
TAG_SEPARATOR = "; "

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Google Sheets
# (OWASP "CSV injection"; tab and carriage return included as OWASP lists them).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(cell: str) -> str:
    """`cell` with a `'` in front if a spreadsheet would run it as a formula, else unchanged.

    Only cells that start with `=`, `+`, `-`, `@`, tab or CR are touched, so ordinary text
    keeps its exact value; a quote that really begins with "-" gains a visible `'`.
    """
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def to_csv(items: Sequence[Item], *, bom: bool = False, defuse_formulas: bool = True) -> str:
    """CSV text for `items`: the `COLUMNS` header, then one row per annotation.

    Rows follow the documents in the order given and each document's annotations in document
    order, unplaced ones last. `quote` is the passage as it stands in the text for placed
    annotations and the quote as made for unplaced ones, whose `start` and `end` are empty
    (their old offsets no longer point at the quote). Times are ISO 8601 UTC when they parse.
    `bom=True` starts the text with a UTF-8 byte order mark so that Excel reads it as UTF-8;
    `defuse_formulas=False` keeps cells that look like formulas exactly as they are.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    clean = defuse if defuse_formulas else str
    for doc, anns in items:
        doc_id = "" if doc.id is None else str(doc.id)
        title = clean(doc.title)
        placed, unplaced = split_sorted(doc, anns)
        for ann in placed + unplaced:
            here = is_placed(doc, ann)
            writer.writerow(
                (
                    doc_id,
                    title,
                    ann.start if here else "",
                    ann.end if here else "",
                    clean(passage(doc, ann)),
                    clean(TAG_SEPARATOR.join(ann.tags)),
                    clean(ann.note),
                    clean(ann.color),
                    ann.status,
                    iso_timestamp(ann.created) or clean(ann.created),
                    iso_timestamp(ann.updated) or clean(ann.updated),
                    ann.uuid,
                )
            )
    return ("\ufeff" if bom else "") + buffer.getvalue()
