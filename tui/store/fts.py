"""Full-text search: a person's words as a safe FTS5 query, ranked hits, plain-text snippets."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection
from typing import Any

from tui.model import SearchHit

#: Marks FTS5 puts around matches in snippets. Unicode noncharacters are reserved for exactly
#: this kind of internal use, so a real text is very unlikely to contain them.
OPEN = "\ufdd0"
CLOSE = "\ufdd1"
ELLIPSIS = "…"
#: bm25 column weights: a quote or note match counts as much as each other, a tag name half;
#: a word in a document's title ten times one in its text. (Explicit bm25() sorts ~30% faster
#: than FTS5's configurable `rank` column.)
ANNOTATION_RANK = "bm25(annotations_fts, 4.0, 4.0, 2.0)"
DOCUMENT_RANK = "bm25(documents_fts, 10.0, 1.0)"
#: A query of thousands of words is a paste accident; FTS5 cost grows with each phrase.
MAX_TOKENS = 32

_SPACE_LIKE = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def fts_query(text: str, *, prefix: bool = False) -> str:
    """Quote every whitespace-separated word of `text` as an FTS5 phrase; "" when empty.

    Quoting makes operators (AND, NEAR, -, *, ^, brackets) and punctuation plain words, so no
    input can raise a syntax error. Phrases are ANDed. With `prefix`, the last word also
    matches longer words (`"kaz"*` finds Kazakhstan), for search-as-you-type.
    """
    tokens = text.replace("\x00", " ").split()[:MAX_TOKENS]
    phrases = ['"' + token.replace('"', '""') + '"' for token in tokens]
    if phrases and prefix:
        phrases[-1] += "*"
    return " ".join(phrases)


def plain_snippet(marked: str) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Strip the OPEN/CLOSE marks from an FTS5 snippet; return the text and the marked spans.

    Line breaks and control characters become spaces one for one, so the context is one line
    and the spans stay right.
    """
    out: list[str] = []
    spans: list[tuple[int, int]] = []
    length = 0
    start: int | None = None
    for piece in re.split(f"([{OPEN}{CLOSE}])", marked):
        if piece == OPEN:
            start = length
        elif piece == CLOSE:
            if start is not None and length > start:
                spans.append((start, length))
            start = None
        elif piece:
            out.append(piece)
            length += len(piece)
    return _SPACE_LIKE.sub(" ", "".join(out)), tuple(spans)


def has_match(marked: str) -> bool:
    """True if an FTS5 snippet or highlight marked at least one match."""
    return OPEN in marked


def annotation_hits(
    conn: sqlite3.Connection,
    match: str,
    limit: int,
    document_id: int | None,
    kinds: Collection[str],
) -> list[tuple[float, int, SearchHit]]:
    """The best `limit` annotation hits for an FTS5 `match`, as (bm25, 0, hit), best first.

    One hit per annotation: "quote" if its quote matches, else "note" (the first of those
    `kinds` allows); a tag-only match is a "quote" hit without spans.
    """
    # Rank first, joining nothing (a join per match doubles the cost of a common word),
    # then fetch snippets and titles for the winners only: snippet() re-tokenises, and
    # SQLite would compute it for every match before sorting.
    if document_id is None:
        top = conn.execute(
            f"SELECT rowid, {ANNOTATION_RANK} AS r FROM annotations_fts"
            " WHERE annotations_fts MATCH ? ORDER BY r LIMIT ?",
            (match, limit),
        ).fetchall()
    else:
        # CROSS JOIN keeps the FTS scan outside: the other order probes the index once
        # per annotation of the document, which is 100x slower.
        top = conn.execute(
            f"SELECT f.rowid, {ANNOTATION_RANK} AS r FROM annotations_fts f"
            " CROSS JOIN annotations a ON a.id = f.rowid"
            " WHERE annotations_fts MATCH ? AND a.document_id = ? ORDER BY r LIMIT ?",
            (match, document_id, limit),
        ).fetchall()
    if not top:
        return []
    ids = json.dumps([row[0] for row in top])
    marks = (OPEN, CLOSE, ELLIPSIS)
    snippets = {
        rowid: (quote, note)
        for rowid, quote, note in conn.execute(
            "SELECT rowid, snippet(annotations_fts, 0, ?, ?, ?, 24),"
            " snippet(annotations_fts, 1, ?, ?, ?, 24) FROM annotations_fts"
            " WHERE annotations_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
            (*marks, *marks, match, ids),
        )
    }
    owners = {
        ann_id: (doc_id, title)
        for ann_id, doc_id, title in conn.execute(
            "SELECT a.id, a.document_id, d.title FROM annotations a"
            " JOIN documents d ON d.id = a.document_id"
            " WHERE a.id IN (SELECT value FROM json_each(?))",
            (ids,),
        )
    }
    out = []
    for rowid, rank in top:
        if rowid not in owners:
            continue
        doc_id, title = owners[rowid]
        quote, note = snippets.get(rowid, ("", ""))
        matched = [k for k, text in (("quote", quote), ("note", note)) if has_match(text)]
        allowed = [k for k in matched if k in kinds]
        if allowed:
            kind = allowed[0]
        elif not matched and "quote" in kinds:
            kind = "quote"  # only a tag name matched: show the quote
        else:
            continue
        context, spans = plain_snippet(quote if kind == "quote" else note)
        hit = SearchHit(kind, doc_id, title, rowid, context, spans)
        out.append((rank, 0, hit))
    return out


def document_hits(
    conn: sqlite3.Connection, match: str, limit: int, document_id: int | None
) -> list[tuple[float, int, SearchHit]]:
    """The best `limit` document hits for an FTS5 `match`, as (bm25, 1, hit), best first.

    The context comes from the text, or from the title when only the title matches.
    """
    where = "" if document_id is None else " AND rowid = ?"
    params: list[Any] = [match] + ([] if document_id is None else [document_id]) + [limit]
    top = conn.execute(
        f"SELECT rowid, {DOCUMENT_RANK} AS r FROM documents_fts"
        f" WHERE documents_fts MATCH ?{where} ORDER BY r LIMIT ?",
        params,
    ).fetchall()
    if not top:
        return []
    marks = (OPEN, CLOSE, ELLIPSIS)
    ids = json.dumps([row[0] for row in top])
    snippets = {
        rowid: (title_snip, text_snip)
        for rowid, title_snip, text_snip in conn.execute(
            "SELECT rowid, snippet(documents_fts, 0, ?, ?, ?, 24),"
            " snippet(documents_fts, 1, ?, ?, ?, 24) FROM documents_fts"
            " WHERE documents_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))",
            (*marks, *marks, match, ids),
        )
    }
    titles = dict(
        conn.execute(
            "SELECT id, title FROM documents WHERE id IN (SELECT value FROM json_each(?))",
            (ids,),
        ).fetchall()
    )
    out = []
    for rowid, rank in top:
        title_snip, text_snip = snippets.get(rowid, ("", ""))
        marked = text_snip if has_match(text_snip) or not has_match(title_snip) else title_snip
        context, spans = plain_snippet(marked)
        hit = SearchHit("document", rowid, titles.get(rowid, ""), None, context, spans)
        out.append((rank, 1, hit))
    return out
