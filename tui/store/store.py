"""The `Store`: margin's SQLite database behind methods that take and return model dataclasses.

One connection, wrapped by sqlite-utils. Every write method is one `BEGIN IMMEDIATE`
transaction, committed before it returns (or rolled back entirely when anything fails), so a
highlight with its tags and note is saved all or nothing and a second margin waits for the
write lock instead of failing. Reads never take the write lock (WAL).

The store persists what the caller computed: anchors and resolutions come from
`tui.anchoring`, documents from `tui.document`; neither is imported here.
"""

from __future__ import annotations

import base64
import functools
import json
import os
import sqlite3
import sys
import threading
import unicodedata
import uuid as uuidlib
from array import array
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import EllipsisType, TracebackType
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar

from tui.model import (
    DEFAULT_COLOR,
    Anchor,
    Annotation,
    Block,
    Document,
    DocumentInfo,
    Mark,
    Resolution,
    SearchHit,
    Tag,
    text_sha256,
)
from tui.store import fts
from tui.store.errors import InvalidInputError, NotFoundError, StoreError, translate
from tui.store.schema import (
    STATUSES,
    check_compatible,
    create_fts_triggers,
    drop_batch_triggers,
    index_new_annotations,
    inspect,
    migrate,
    rebuild_fts,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

P = ParamSpec("P")
R = TypeVar("R")

MAX_TAG_NAME = 200
QUICK_KEYS = range(1, 10)
SEARCH_KINDS = ("quote", "note", "document")
#: From this many rows on, add_annotations indexes for search in one statement.
BATCH_INDEX_THRESHOLD = 200

_ANN_COLUMNS = (
    'a.id, a.uuid, a.document_id, a.start, a."end", a.exact, a.prefix, a.suffix, a.color, '
    "a.note, a.status, a.score, a.created, a.updated"
)
_INFO_COLUMNS = (
    "d.id, d.title, d.source, d.words, "
    "(SELECT count(*) FROM annotations a WHERE a.document_id = d.id), "
    "d.imported, coalesce(r.last_read, ''), coalesce(r.position, 0), d.length, d.format"
)
#: The documents with their reading state (kept apart: see migration 0003).
_INFO_FROM = "documents d LEFT JOIN reading r ON r.document_id = d.id"
_TAG_COLUMNS = (
    't.id, t.name, t.color, t."key", t.description, '
    "(SELECT count(*) FROM annotation_tags x WHERE x.tag_id = t.id)"
)


def now_iso() -> str:
    """The current time as ISO 8601 UTC with a Z, to the millisecond."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def normalize_tag_name(name: str) -> str:
    """A tag name as stored: NFC, trimmed, leading '#' removed, inner whitespace runs as one space.

    Raises InvalidInputError for a name that is empty after that, too long, or holds control
    characters.
    """
    if not isinstance(name, str):
        raise InvalidInputError(f"a tag name must be text, not {type(name).__name__}")
    return _normalize_tag_name(name)


@functools.lru_cache(maxsize=4096)  # a codebook has few names; importers repeat them a lot
def _normalize_tag_name(name: str) -> str:
    clean = " ".join(unicodedata.normalize("NFC", name).split())
    while clean.startswith("#"):
        clean = clean[1:].lstrip()
    if not clean:
        raise InvalidInputError(f"empty tag name: {name!r}")
    if len(clean) > MAX_TAG_NAME:
        raise InvalidInputError(f"tag name longer than {MAX_TAG_NAME} characters")
    if any(unicodedata.category(ch) == "Cc" for ch in clean):
        raise InvalidInputError(f"tag name with control characters: {clean!r}")
    return clean


def tag_fold(name: str) -> str:
    """The case-insensitive identity of a normalised tag name (full Unicode casefold)."""
    return name.casefold()


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _api(method: Callable[Concatenate[Store, P], R]) -> Callable[Concatenate[Store, P], R]:
    """Serialise calls across threads and turn every SQLite failure into a StoreError."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: P.args, **kwargs: P.kwargs) -> R:
        with self._lock:
            if self._conn is None:
                raise StoreError("the database is closed", kind="closed")
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc
            except OverflowError as exc:  # an id or offset beyond SQLite's 64-bit integers
                raise InvalidInputError(f"number out of range ({exc})") from exc
            except UnicodeEncodeError as exc:
                # Lone surrogates (from a surrogateescape decode) cannot be stored as UTF-8.
                raise InvalidInputError(
                    f"text with characters that cannot be saved as UTF-8 ({exc.reason})"
                ) from exc

    return wrapper


def _pack(numbers: Iterable[int]) -> str:
    """Whole numbers as base64 of little-endian 64-bit integers."""
    packed = array("q", numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def _unpack(text: str) -> array[int]:
    packed = array("q")
    packed.frombytes(base64.b64decode(text, validate=True))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed


def _encode_structure(doc: Document) -> str:
    """Blocks, marks and sentences as JSON, the numbers packed as base64 integer arrays.

    A book has 12,000 blocks and 30,000 sentences: unpacked and paired, these read in a third
    of the time that parsing them as JSON numbers took, on every opening of the book.
    """
    blocks = doc.blocks
    data = {
        "v": 3,
        "kinds": [b.kind for b in blocks],
        "starts": _pack(b.start for b in blocks),
        "ends": _pack(b.end for b in blocks),
        "levels": _pack(b.level for b in blocks),
        "infos": {str(i): b.info for i, b in enumerate(blocks) if b.info},
        "marks": [
            [m.kind, m.start, m.end, m.href] if m.href else [m.kind, m.start, m.end]
            for m in doc.marks
        ],
        "sentences": _pack(n for pair in doc.sentences for n in pair),
    }
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _decode_structure(raw: str) -> tuple[list[Block], list[Mark], list[tuple[int, int]]]:
    """The inverse of `_encode_structure` (and of the JSON lists that margin wrote before
    version 3); a damaged value gives empty lists, never a crash."""
    try:
        data = json.loads(raw or "{}")
        marks = [Mark(*item) for item in data.get("marks", [])]
        version = data.get("v")
        if version == 3:
            if not isinstance(data["kinds"], list):
                raise ValueError("damaged block kinds")
            kinds = [str(kind) for kind in data["kinds"]]
            infos = [""] * len(kinds)
            for index, info in data["infos"].items():
                infos[int(index)] = str(info)
            columns = zip(
                kinds,
                _unpack(data["starts"]),
                _unpack(data["ends"]),
                _unpack(data["levels"]),
                infos,
                strict=True,
            )
            blocks = list(map(Block._make, columns))
            numbers: Sequence[int] = _unpack(data["sentences"])
        else:
            blocks = [Block(*item) for item in data.get("blocks", [])]
            numbers = [int(n) for s, e in data.get("sentences", []) for n in (s, e)]
        sentences = list(zip(*[iter(numbers)] * 2, strict=True))
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError):
        return [], [], []
    return blocks, marks, sentences


def _decode_metadata(raw: str) -> dict[str, str]:
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _annotation(row: Sequence[Any], tags: list[str] | None = None) -> Annotation:
    return Annotation(
        id=row[0],
        uuid=row[1],
        document_id=row[2],
        start=row[3],
        end=row[4],
        exact=row[5],
        prefix=row[6],
        suffix=row[7],
        color=row[8],
        note=row[9],
        status=row[10],
        score=row[11],
        created=row[12],
        updated=row[13],
        tags=tags if tags is not None else [],
    )


def _info(row: Sequence[Any]) -> DocumentInfo:
    return DocumentInfo(*row)


def _tag(row: Sequence[Any]) -> Tag:
    return Tag(*row)


class Store:
    """margin's database. Open with `Store(path)` or `Store.memory()`; use as a context manager.

    Every method returns dataclasses from `tui.model`. Failures raise `StoreError` (or its
    subclasses `NotFoundError`, `InvalidInputError`) with a one-line message; a failed write
    leaves the database as it was.

    `timeout` is how long (seconds) a write waits for another program's write lock.
    `read_only` opens the file with `mode=ro` and refuses every write with a StoreError.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False, timeout: float = 5.0) -> None:
        self.path = str(path)
        self.read_only = read_only
        self.timeout = timeout
        self._lock = threading.RLock()
        self._depth = 0  # nesting of _write(): 0 = no transaction of ours is open
        self._conn: sqlite3.Connection | None = None
        self._db: Database | None = None
        try:
            self._open()
        except StoreError as err:
            folder = Path(self.path).expanduser().parent
            if (
                self.is_memory
                or err.kind not in ("read-only", "missing")
                or not folder.is_dir()
                or _writable(folder)
            ):
                raise
            if not Path(self.path).expanduser().is_file():
                raise StoreError(
                    f"cannot create {self.path}: the folder {folder} is read-only",
                    kind="read-only",
                ) from err
            if not self.read_only:
                raise StoreError(
                    f"cannot write {self.path}: its folder {folder} is read-only (SQLite keeps"
                    " its -wal and -shm files beside the database); open it read-only",
                    kind="read-only",
                ) from err
            # A WAL database needs its -shm file even to be read; in a folder we cannot write,
            # read it as immutable instead (no locks, so no other program may write it now).
            self._open(immutable=True)

    def _open(self, *, immutable: bool = False) -> None:
        conn = self._connect(immutable=immutable)
        try:
            self._db = None
            self._conn = conn
            self._prepare()
        except sqlite3.Error as exc:
            conn.close()
            self._conn = None
            raise translate(exc, self.path) from exc
        except BaseException:
            conn.close()
            self._conn = None
            raise

    @property
    def db(self) -> Database:
        """The connection as a sqlite-utils `Database` (for migrations and schema work).

        Made on first use: sqlite-utils takes 40 ms to import, which every read-only command
        would otherwise pay for.
        """
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self._require(), execute_plugins=False)
        return self._db

    @classmethod
    def memory(cls) -> Store:
        """A fresh in-memory store, for tests."""
        return cls(":memory:")

    # -- opening -------------------------------------------------------------------------------

    @property
    def is_memory(self) -> bool:
        """True for `Store.memory()`."""
        return self.path == ":memory:"

    def _connect(self, *, immutable: bool = False) -> sqlite3.Connection:
        # isolation_level=None: the driver never opens a transaction behind our back; each
        # write goes through _write() and its BEGIN IMMEDIATE.
        options: dict[str, Any] = {
            "isolation_level": None,
            "timeout": self.timeout,
            "check_same_thread": False,  # the UI may call from a worker; self._lock serialises
        }
        if self.is_memory:
            return sqlite3.connect(":memory:", **options)
        path = Path(self.path).expanduser()
        if not path.parent.is_dir():
            raise StoreError(
                f"cannot create {path}: the folder {path.parent} does not exist", kind="missing"
            )
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a database file", kind="missing")
        try:
            if self.read_only:
                if not path.exists():
                    raise StoreError(f"{path} does not exist", kind="missing")
                query = "?mode=ro&immutable=1" if immutable else "?mode=ro"
                return sqlite3.connect(path.resolve().as_uri() + query, uri=True, **options)
            return sqlite3.connect(str(path), **options)
        except sqlite3.Error as exc:
            raise translate(exc, self.path) from exc

    def _prepare(self) -> None:
        """Set the connection up, refuse what we must not touch, migrate what is old."""
        conn = self._require()
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # 32 MB of page cache (taken only as used): random uuid index inserts of a large
        # import thrash the default 2 MB.
        conn.execute("PRAGMA cache_size = -32768")
        if self.read_only:
            conn.execute("PRAGMA query_only = ON")
        # Read the version before any statement that could write (journal_mode included).
        if not check_compatible(inspect(conn), self.path):
            if not self.read_only:
                self._set_durability()
            return
        if self.read_only:
            raise StoreError(
                f"{self.path} needs a schema upgrade; open it once without read-only",
                kind="needs-upgrade",
            )
        self._set_durability()
        self._upgrade()

    def _set_durability(self) -> None:
        conn = self._require()
        if not self.is_memory:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{self.path}: cannot switch to WAL mode ({mode})")
        # FULL: a note typed a second before a power cut is still there.
        conn.execute("PRAGMA synchronous = FULL")

    def _upgrade(self) -> None:
        conn = self._require()
        # PRAGMA foreign_keys only changes outside a transaction. Off, a migration's
        # transform() (create, copy, drop, rename) cannot cascade-delete rows; the check below
        # then proves every link still holds before the commit.
        conn.execute("PRAGMA foreign_keys = OFF")
        try:
            with self._write():
                if check_compatible(inspect(conn), self.path):  # another process may have won
                    migrate(self.db)
                broken = conn.execute("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(
                        f"upgrading {self.path} would break {len(broken)} links; nothing changed",
                        kind="corrupt",
                    )
        finally:
            conn.execute("PRAGMA foreign_keys = ON")

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("the database is closed", kind="closed")
        return self._conn

    def close(self) -> None:
        """Close the connection (an open `bulk()` is rolled back). Safe to call twice."""
        with self._lock:
            if self._conn is not None:
                conn, self._conn = self._conn, None
                conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._conn is None else ("read-only" if self.read_only else "open")
        return f"<Store {self.path!r} {state}>"

    # -- transactions --------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE ... COMMIT, or a savepoint when nested."""
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only; nothing was saved", kind="read-only")
        conn = self._require()
        if self._depth and not conn.in_transaction:
            # SQLite itself rolled the enclosing bulk() back (some errors, such as a full disk,
            # end the whole transaction): going on would save the rest piecemeal.
            raise StoreError(
                "an earlier error ended this transaction; nothing of it was saved", kind="error"
            )
        if self._depth:
            name = f"margin_{self._depth}"
            conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
                raise
            else:
                conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        # IMMEDIATE takes the write lock now, waiting up to busy_timeout for another writer;
        # a plain BEGIN could fail later, mid-transaction, when it tries to upgrade its lock.
        conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            try:
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        finally:
            self._depth = 0

    @contextmanager
    def bulk(self) -> Iterator[Store]:
        """Group many write calls into one transaction (importers, benchmarks).

        Each call inside still rolls back alone if it fails; an exception that leaves the
        block rolls back everything done in it. Other threads wait until the block ends.
        """
        with self._lock:
            try:
                with self._write():
                    yield self
            except sqlite3.Error as exc:
                raise translate(exc, self.path) from exc

    # -- documents -----------------------------------------------------------------------------

    @_api
    def add_document(self, doc: Document) -> Document:
        """Store a new document; returns a copy with `id` and `imported` set (`doc.id` is
        ignored: this always adds).

        `doc.imported` is kept when given (an import from another database), else now.
        """
        now = now_iso()
        imported = doc.imported or now
        text = doc.text
        with self._write() as conn:
            cur = conn.execute(
                "INSERT INTO documents (title, source, format, text, sha256, words, length,"
                " metadata, structure, imported, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.title,
                    doc.source,
                    doc.format,
                    text,
                    text_sha256(text),
                    doc.words,
                    len(text),
                    json.dumps(doc.metadata, ensure_ascii=False),
                    _encode_structure(doc),
                    imported,
                    now,
                ),
            )
            doc_id = cur.lastrowid
            conn.execute(
                "INSERT INTO reading (document_id, position, last_read) VALUES (?, ?, ?)",
                (doc_id, max(0, min(doc.position, len(text))), doc.last_read),
            )
        assert doc_id is not None
        return replace(doc, id=doc_id, imported=imported)

    @_api
    def get_document(self, doc_id: int) -> Document:
        """The whole document: text, blocks, marks, sentences, metadata and reading state."""
        row = (
            self._require()
            .execute(
                "SELECT d.id, d.title, d.source, d.format, d.text, d.metadata, d.structure,"
                " coalesce(r.position, 0), d.imported, coalesce(r.last_read, '')"
                f" FROM {_INFO_FROM} WHERE d.id = ?",
                (doc_id,),
            )
            .fetchone()
        )
        if row is None:
            raise NotFoundError(f"no document with id {doc_id}")
        blocks, marks, sentences = _decode_structure(row[6])
        return Document(
            text=row[4],
            title=row[1],
            blocks=blocks,
            marks=marks,
            sentences=sentences,
            source=row[2],
            format=row[3],
            metadata=_decode_metadata(row[5]),
            id=row[0],
            position=row[7],
            imported=row[8],
            last_read=row[9],
        )

    @_api
    def get_document_info(self, doc_id: int) -> DocumentInfo:
        """One library row (no text)."""
        row = (
            self._require()
            .execute(f"SELECT {_INFO_COLUMNS} FROM {_INFO_FROM} WHERE d.id = ?", (doc_id,))
            .fetchone()
        )
        if row is None:
            raise NotFoundError(f"no document with id {doc_id}")
        return _info(row)

    @_api
    def find_by_source(self, source: str) -> DocumentInfo | None:
        """The most recently imported document with exactly this source, if any."""
        row = (
            self._require()
            .execute(
                f"SELECT {_INFO_COLUMNS} FROM {_INFO_FROM} WHERE d.source = ?"
                " ORDER BY d.id DESC LIMIT 1",
                (source,),
            )
            .fetchone()
        )
        return _info(row) if row else None

    @_api
    def find_by_sha256(self, sha256: str) -> DocumentInfo | None:
        """The first imported document whose text has this sha256 (a duplicate), if any."""
        row = (
            self._require()
            .execute(
                f"SELECT {_INFO_COLUMNS} FROM {_INFO_FROM}"
                " WHERE d.sha256 = ? ORDER BY d.id LIMIT 1",
                (sha256,),
            )
            .fetchone()
        )
        return _info(row) if row else None

    @_api
    def find_documents(self, ref: str) -> list[DocumentInfo]:
        """Documents a person may mean by `ref`: an id, an exact source, or a title.

        Exact matches (the id, the source, the whole title ignoring case) win: if there are
        any, only they are returned. Otherwise every document whose title starts with `ref`
        (ignoring case, any script). Several results mean the caller must ask which one.
        """
        ref = ref.strip()
        if not ref:
            return []
        conn = self._require()
        folded = ref.casefold()
        titles = conn.execute("SELECT id, title, source FROM documents ORDER BY id").fetchall()
        exact: list[int] = []
        if ref.isascii() and ref.isdigit():
            exact += [i for i, _, _ in titles if i == int(ref)]
        exact += [i for i, _, source in titles if source == ref]
        exact += [i for i, title, _ in titles if title.casefold() == folded]
        ids = exact or [i for i, title, _ in titles if title.casefold().startswith(folded)]
        ids = list(dict.fromkeys(ids))  # dedupe, keep order
        if not ids:
            return []
        rows = conn.execute(
            f"SELECT {_INFO_COLUMNS} FROM {_INFO_FROM}"
            " WHERE d.id IN (SELECT value FROM json_each(?))",
            (json.dumps(ids),),
        ).fetchall()
        by_id = {row[0]: _info(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    @_api
    def list_documents(self) -> list[DocumentInfo]:
        """Every document without its text, in import order, with annotation counts."""
        rows = (
            self._require()
            .execute(f"SELECT {_INFO_COLUMNS} FROM {_INFO_FROM} ORDER BY d.id")
            .fetchall()
        )
        return [_info(row) for row in rows]

    @_api
    def replace_text(self, doc: Document, moves: Mapping[int, Resolution]) -> None:
        """Replace a stored document's text and re-place its annotations, in one transaction.

        `doc.id` names the document; its text, sha256, structure, title, format, metadata (and
        source, when not empty) replace the stored ones. Each annotation in `moves` gets the
        resolution's start/end/status/score; an orphan (or a resolution without a span) keeps
        its last start/end. The quote, prefix and suffix are never touched; nothing is deleted.
        Annotations not in `moves` are left as they are. An id in `moves` that is not an
        annotation of this document rolls the whole change back.
        """
        if doc.id is None:
            raise InvalidInputError("replace_text needs a stored document (doc.id is None)")
        for ann_id, res in moves.items():
            if res.status not in STATUSES:
                raise InvalidInputError(f"unknown status {res.status!r} for annotation {ann_id}")
        text = doc.text
        sha = text_sha256(text)
        now = now_iso()
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE documents SET title = ?, text = ?, sha256 = ?, words = ?, length = ?,"
                " structure = ?, metadata = ?, format = ?,"
                " source = CASE WHEN ? = '' THEN source ELSE ? END,"
                " updated = ? WHERE id = ?",
                (
                    doc.title,
                    text,
                    sha,
                    doc.words,
                    len(text),
                    _encode_structure(doc),
                    json.dumps(doc.metadata, ensure_ascii=False),
                    doc.format,
                    doc.source,
                    doc.source,
                    now,
                    doc.id,
                ),
            )
            if cur.rowcount != 1:
                raise NotFoundError(f"no document with id {doc.id}")
            conn.execute(
                "UPDATE reading SET position = min(position, ?) WHERE document_id = ?",
                (len(text), doc.id),
            )
            placed = []
            kept = []
            for ann_id, res in moves.items():
                if res.status == "orphan" or res.start is None or res.end is None:
                    kept.append((res.status, float(res.score), ann_id, doc.id))
                else:
                    placed.append(
                        (res.start, res.end, res.status, float(res.score), sha, ann_id, doc.id)
                    )
            changed = 0
            if placed:
                changed += conn.executemany(
                    'UPDATE annotations SET start = ?, "end" = ?, status = ?, score = ?,'
                    " text_sha256 = ? WHERE id = ? AND document_id = ?",
                    placed,
                ).rowcount
            if kept:
                changed += conn.executemany(
                    "UPDATE annotations SET status = ?, score = ? WHERE id = ? AND document_id = ?",
                    kept,
                ).rowcount
            if changed != len(moves):
                raise InvalidInputError(
                    f"{len(moves) - changed} of the moved annotations do not belong to "
                    f"document {doc.id}; nothing changed"
                )

    @_api
    def get_metadata(self, doc_id: int) -> dict[str, str]:
        """A document's metadata alone, without reading its text."""
        row = (
            self._require()
            .execute("SELECT metadata FROM documents WHERE id = ?", (doc_id,))
            .fetchone()
        )
        if row is None:
            raise NotFoundError(f"no document with id {doc_id}")
        return _decode_metadata(row[0])

    @_api
    def update_metadata(self, doc_id: int, changes: Mapping[str, str]) -> dict[str, str]:
        """Merge `changes` into a document's metadata; returns the result."""
        with self._write() as conn:
            row = conn.execute("SELECT metadata FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                raise NotFoundError(f"no document with id {doc_id}")
            merged = {**_decode_metadata(row[0]), **changes}
            conn.execute(
                "UPDATE documents SET metadata = ? WHERE id = ?",
                (json.dumps(merged, ensure_ascii=False), doc_id),
            )
        return merged

    @_api
    def set_position(self, doc_id: int, position: int) -> None:
        """Save the reading position (clamped to the text) and set last_read to now.

        Committed like every write (to the small `reading` table), but without waiting for
        the disk (synchronous NORMAL in WAL mode: safe from a crash of margin, and the next
        note's commit flushes it): the reader saves the position as you scroll, and an fsync
        there put 10 ms on a keypress.
        """
        conn = self._require()
        relaxed = self._depth == 0 and not self.is_memory and not self.read_only
        if relaxed:
            conn.execute("PRAGMA synchronous = NORMAL")
        try:
            with self._write() as conn:
                # A row of its own: updating the document's row rewrote the whole book.
                cur = conn.execute(
                    "INSERT INTO reading (document_id, position, last_read)"
                    " SELECT id, max(0, min(?, length)), ? FROM documents WHERE id = ?"
                    " ON CONFLICT (document_id) DO UPDATE"
                    " SET position = excluded.position, last_read = excluded.last_read",
                    (int(position), now_iso(), doc_id),
                )
                if cur.rowcount != 1:
                    raise NotFoundError(f"no document with id {doc_id}")
        finally:
            if relaxed:
                conn.execute("PRAGMA synchronous = FULL")

    @_api
    def delete_document(self, doc_id: int) -> int:
        """Delete a document and its annotations; returns how many annotations went with it."""
        with self._write() as conn:
            count = conn.execute(
                "SELECT count(*) FROM annotations WHERE document_id = ?", (doc_id,)
            ).fetchone()[0]
            if conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount != 1:
                raise NotFoundError(f"no document with id {doc_id}")
        return count

    # -- annotations ---------------------------------------------------------------------------

    def _document_length(self, conn: sqlite3.Connection, doc_id: int) -> tuple[int, str]:
        row = conn.execute(
            "SELECT length, sha256 FROM documents WHERE id = ?", (doc_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no document with id {doc_id}")
        return row[0], row[1]

    @staticmethod
    def _check_span(start: int, end: int, length: int) -> None:
        if not (0 <= start <= end <= length):
            raise InvalidInputError(f"span {start}..{end} lies outside the text (0..{length})")

    @_api
    def add_annotation(
        self,
        document_id: int,
        anchor: Anchor,
        *,
        color: str = DEFAULT_COLOR,
        note: str = "",
        tags: Sequence[str] = (),
    ) -> Annotation:
        """Save a new highlight (status "anchored") with a fresh UUID4, its note and tags.

        Tags that do not exist yet are created, each with the lowest free quick key 1-9 (or
        none when all nine are taken). All of it is one transaction.
        """
        names = self._tag_names(tags)
        now = now_iso()
        with self._write() as conn:
            length, sha = self._document_length(conn, document_id)
            self._check_span(anchor.start, anchor.end, length)
            cur = conn.execute(
                'INSERT INTO annotations (uuid, document_id, start, "end", exact, prefix, suffix,'
                " text_sha256, color, note, status, score, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'anchored', 1.0, ?, ?)",
                (
                    str(uuidlib.uuid4()),
                    document_id,
                    anchor.start,
                    anchor.end,
                    anchor.exact,
                    anchor.prefix,
                    anchor.suffix,
                    anchor.text_sha256 or sha,
                    color,
                    note,
                    now,
                    now,
                ),
            )
            ann_id = cur.lastrowid
            assert ann_id is not None
            self._link_tags(conn, ann_id, names)
            return self._get_annotation(conn, ann_id)

    @_api
    def add_annotations(self, items: Iterable[Annotation], *, skip_existing: bool = False) -> int:
        """Save many annotations in one transaction (importers, benchmarks); returns how many.

        Each item's `id` is ignored. Its `uuid`, `status`, `score`, `created` and `updated`
        are kept when set (so imported annotations keep their identity); a missing uuid gets
        a UUID4, missing times get now. Tags are created as in `add_annotation`. An item whose
        uuid is already stored raises (nothing is saved), or is skipped with `skip_existing`.
        """
        now = now_iso()
        with self._write() as conn:
            docs: dict[int, tuple[int, str]] = {}
            rows = []
            links: list[tuple[str, list[str]]] = []
            seen: set[str] = set()
            for item in items:
                if item.document_id not in docs:
                    docs[item.document_id] = self._document_length(conn, item.document_id)
                length, sha = docs[item.document_id]
                self._check_span(item.start, item.end, length)
                if item.status not in STATUSES:
                    raise InvalidInputError(f"unknown annotation status {item.status!r}")
                uid = item.uuid or str(uuidlib.uuid4())
                if item.uuid and (
                    uid in seen
                    or conn.execute("SELECT 1 FROM annotations WHERE uuid = ?", (uid,)).fetchone()
                ):
                    if skip_existing:
                        continue
                    raise StoreError(
                        f"an annotation with uuid {uid} already exists", kind="conflict"
                    )
                seen.add(uid)
                rows.append(
                    (
                        uid,
                        item.document_id,
                        item.start,
                        item.end,
                        item.exact,
                        item.prefix,
                        item.suffix,
                        sha,
                        item.color,
                        item.note,
                        item.status,
                        float(item.score),
                        item.created or now,
                        item.updated or item.created or now,
                    )
                )
                if item.tags:
                    links.append((uid, self._tag_names(item.tags)))
            tag_ids: dict[str, int] = {}
            pairs = []
            for uid, names in links:
                for position, name in enumerate(names):
                    fold = tag_fold(name)
                    if fold not in tag_ids:
                        tag_ids[fold] = self._ensure_tag_id(conn, name)
                    pairs.append((tag_ids[fold], position, uid))
            # Per-row FTS triggers cost ~4x the insert itself (each tag link rewrites the
            # annotation's FTS row); a large batch indexes its rows in one statement instead.
            # Trigger DDL is transactional, so a failure restores them with everything else.
            batch = len(rows) >= BATCH_INDEX_THRESHOLD
            last = conn.execute("SELECT coalesce(max(id), 0) FROM annotations").fetchone()[0]
            if batch:
                drop_batch_triggers(self._require())
            conn.executemany(
                'INSERT INTO annotations (uuid, document_id, start, "end", exact, prefix, suffix,'
                " text_sha256, color, note, status, score, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            if pairs:
                # New rows have ids above `last` (AUTOINCREMENT, and we hold the write lock).
                ids = dict(conn.execute("SELECT uuid, id FROM annotations WHERE id > ?", (last,)))
                conn.executemany(
                    "INSERT INTO annotation_tags (tag_id, position, annotation_id)"
                    " VALUES (?, ?, ?)",
                    [(tag_id, position, ids[uid]) for tag_id, position, uid in pairs],
                )
            if batch:
                index_new_annotations(self._require(), last)
                create_fts_triggers(self._require())
        return len(rows)

    @_api
    def get_annotation(self, ann_id: int) -> Annotation:
        """One annotation with its tags."""
        return self._get_annotation(self._require(), ann_id)

    def _get_annotation(self, conn: sqlite3.Connection, ann_id: int) -> Annotation:
        row = conn.execute(
            f"SELECT {_ANN_COLUMNS} FROM annotations a WHERE a.id = ?", (ann_id,)
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no annotation with id {ann_id}")
        tags = [
            name
            for (name,) in conn.execute(
                "SELECT t.name FROM annotation_tags x JOIN tags t ON t.id = x.tag_id"
                " WHERE x.annotation_id = ? ORDER BY x.position, t.id",
                (ann_id,),
            )
        ]
        return _annotation(row, tags)

    def _annotations(self, where: str, params: Sequence[Any]) -> list[Annotation]:
        """Annotations matching `where` (over alias `a`), in document then text order."""
        conn = self._require()
        rows = conn.execute(
            f"SELECT {_ANN_COLUMNS} FROM annotations a WHERE {where}"
            ' ORDER BY a.document_id, a.start, a."end", a.id',
            params,
        ).fetchall()
        tags: dict[int, list[str]] = {}
        for ann_id, name in conn.execute(
            "SELECT x.annotation_id, t.name FROM annotation_tags x"
            " JOIN tags t ON t.id = x.tag_id JOIN annotations a ON a.id = x.annotation_id"
            f" WHERE {where} ORDER BY x.annotation_id, x.position, t.id",
            params,
        ):
            tags.setdefault(ann_id, []).append(name)
        return [_annotation(row, tags.get(row[0], [])) for row in rows]

    @_api
    def annotations_for(self, document_id: int) -> list[Annotation]:
        """A document's annotations in text order (by start), orphans included."""
        return self._annotations("a.document_id = ?", (document_id,))

    @_api
    def all_annotations(
        self, document_ids: Sequence[int] | None = None, tags: Sequence[str] = ()
    ) -> list[Annotation]:
        """Annotations of the given documents (all when None), optionally only those with any
        of `tags` (case-insensitive); ordered by document, then text position."""
        where = ["1"]
        params: list[Any] = []
        if document_ids is not None:
            where.append("a.document_id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps([int(i) for i in document_ids]))
        if tags:
            folds = [tag_fold(normalize_tag_name(name)) for name in tags]
            where.append(
                "a.id IN (SELECT x.annotation_id FROM annotation_tags x JOIN tags t"
                " ON t.id = x.tag_id WHERE t.fold IN (SELECT value FROM json_each(?)))"
            )
            params.append(json.dumps(folds, ensure_ascii=False))
        return self._annotations(" AND ".join(where), params)

    @_api
    def update_annotation(
        self, ann_id: int, *, note: str | None = None, color: str | None = None
    ) -> Annotation:
        """Change an annotation's note and/or colour; None leaves a field as it is."""
        with self._write() as conn:
            sets, params = [], []
            if note is not None:
                sets.append("note = ?")
                params.append(note)
            if color is not None:
                sets.append("color = ?")
                params.append(color)
            if sets:
                sets.append("updated = ?")
                params += [now_iso(), ann_id]
                cur = conn.execute(f"UPDATE annotations SET {', '.join(sets)} WHERE id = ?", params)
                if cur.rowcount != 1:
                    raise NotFoundError(f"no annotation with id {ann_id}")
            return self._get_annotation(conn, ann_id)

    @_api
    def set_annotation_tags(self, ann_id: int, names: Sequence[str]) -> Annotation:
        """Give an annotation exactly these tags, in this order (missing tags are created)."""
        clean = self._tag_names(names)
        with self._write() as conn:
            self._touch(conn, ann_id)
            conn.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", (ann_id,))
            self._link_tags(conn, ann_id, clean)
            return self._get_annotation(conn, ann_id)

    @_api
    def add_tag_to_annotation(self, ann_id: int, name: str) -> Annotation:
        """Add one tag after the others (created if missing); no change if it is there."""
        clean = normalize_tag_name(name)
        with self._write() as conn:
            self._touch(conn, ann_id)
            position = conn.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM annotation_tags"
                " WHERE annotation_id = ?",
                (ann_id,),
            ).fetchone()[0]
            tag_id = self._ensure_tag_id(conn, clean)
            conn.execute(
                "INSERT INTO annotation_tags (annotation_id, tag_id, position) VALUES (?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (ann_id, tag_id, position),
            )
            return self._get_annotation(conn, ann_id)

    @_api
    def remove_tag_from_annotation(self, ann_id: int, name: str) -> Annotation:
        """Remove one tag from an annotation (the tag itself stays); no change if absent."""
        fold = tag_fold(normalize_tag_name(name))
        with self._write() as conn:
            self._touch(conn, ann_id)
            conn.execute(
                "DELETE FROM annotation_tags WHERE annotation_id = ?"
                " AND tag_id = (SELECT id FROM tags WHERE fold = ?)",
                (ann_id, fold),
            )
            return self._get_annotation(conn, ann_id)

    @_api
    def delete_annotation(self, ann_id: int) -> Annotation:
        """Delete an annotation; returns it as it was (with tags) so it can be restored."""
        with self._write() as conn:
            ann = self._get_annotation(conn, ann_id)
            conn.execute("DELETE FROM annotations WHERE id = ?", (ann_id,))
        return ann

    @_api
    def restore_annotation(self, ann: Annotation) -> Annotation:
        """Put a deleted annotation back: same uuid, same id when free, same tags and times.

        Raises a conflict StoreError if an annotation with that uuid exists, NotFoundError if
        its document is gone.
        """
        if ann.status not in STATUSES:
            raise InvalidInputError(f"unknown annotation status {ann.status!r}")
        names = self._tag_names(ann.tags)
        with self._write() as conn:
            if conn.execute("SELECT 1 FROM annotations WHERE uuid = ?", (ann.uuid,)).fetchone():
                raise StoreError(
                    f"an annotation with uuid {ann.uuid} already exists", kind="conflict"
                )
            _, sha = self._document_length(conn, ann.document_id)
            free = not conn.execute("SELECT 1 FROM annotations WHERE id = ?", (ann.id,)).fetchone()
            cur = conn.execute(
                'INSERT INTO annotations (id, uuid, document_id, start, "end", exact, prefix,'
                " suffix, text_sha256, color, note, status, score, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    ann.id if free and ann.id > 0 else None,
                    ann.uuid or str(uuidlib.uuid4()),
                    ann.document_id,
                    ann.start,
                    ann.end,
                    ann.exact,
                    ann.prefix,
                    ann.suffix,
                    sha,
                    ann.color,
                    ann.note,
                    ann.status,
                    float(ann.score),
                    ann.created or now_iso(),
                    ann.updated or now_iso(),
                ),
            )
            new_id = cur.lastrowid
            assert new_id is not None
            self._link_tags(conn, new_id, names)
            return self._get_annotation(conn, new_id)

    def _touch(self, conn: sqlite3.Connection, ann_id: int) -> None:
        """Mark an annotation as edited now; NotFoundError if it does not exist."""
        cur = conn.execute("UPDATE annotations SET updated = ? WHERE id = ?", (now_iso(), ann_id))
        if cur.rowcount != 1:
            raise NotFoundError(f"no annotation with id {ann_id}")

    # -- tags ----------------------------------------------------------------------------------

    @staticmethod
    def _tag_names(names: Iterable[str]) -> list[str]:
        """Normalised names with case-insensitive duplicates dropped (first spelling wins)."""
        if isinstance(names, str):
            raise InvalidInputError("tags must be a list of names, not one string")
        out: dict[str, str] = {}
        for name in names:
            clean = normalize_tag_name(name)
            out.setdefault(tag_fold(clean), clean)
        return list(out.values())

    def _link_tags(self, conn: sqlite3.Connection, ann_id: int, names: Sequence[str]) -> None:
        conn.executemany(
            "INSERT INTO annotation_tags (annotation_id, tag_id, position) VALUES (?, ?, ?)",
            [(ann_id, self._ensure_tag_id(conn, name), i) for i, name in enumerate(names)],
        )

    def _ensure_tag_id(
        self, conn: sqlite3.Connection, name: str, color: str = "", description: str = ""
    ) -> int:
        """The id of the tag `name` (normalised), creating it with the lowest free quick key."""
        row = conn.execute("SELECT id FROM tags WHERE fold = ?", (tag_fold(name),)).fetchone()
        if row:
            return int(row[0])
        used = {k for (k,) in conn.execute('SELECT "key" FROM tags WHERE "key" IS NOT NULL')}
        key = next((k for k in QUICK_KEYS if k not in used), None)
        cur = conn.execute(
            'INSERT INTO tags (name, fold, color, "key", description) VALUES (?, ?, ?, ?, ?)',
            (name, tag_fold(name), color, key, description),
        )
        assert cur.lastrowid is not None
        return cur.lastrowid

    def _get_tag(self, conn: sqlite3.Connection, name: str) -> Tag | None:
        row = conn.execute(
            f"SELECT {_TAG_COLUMNS} FROM tags t WHERE t.fold = ?",
            (tag_fold(normalize_tag_name(name)),),
        ).fetchone()
        return _tag(row) if row else None

    @_api
    def list_tags(self) -> list[Tag]:
        """The codebook: tags with a quick key first (1-9), then the rest by name; with counts."""
        rows = (
            self._require()
            .execute(f'SELECT {_TAG_COLUMNS} FROM tags t ORDER BY t."key" IS NULL, t."key", t.fold')
            .fetchall()
        )
        return [_tag(row) for row in rows]

    @_api
    def get_tag(self, name: str) -> Tag | None:
        """The tag called `name` (any case, with or without '#'), or None."""
        return self._get_tag(self._require(), name)

    @_api
    def ensure_tag(self, name: str, *, color: str = "", description: str = "") -> Tag:
        """The tag called `name`, created (with the lowest free quick key) if missing.

        An existing tag is returned unchanged; use `update_tag` to change it.
        """
        clean = normalize_tag_name(name)
        with self._write() as conn:
            self._ensure_tag_id(conn, clean, color, description)
            tag = self._get_tag(conn, clean)
        assert tag is not None
        return tag

    @_api
    def update_tag(
        self,
        name: str,
        *,
        new_name: str | None = None,
        color: str | None = None,
        key: int | None | EllipsisType = ...,
        description: str | None = None,
    ) -> Tag:
        """Rename a tag, or change its colour, quick key (None clears it; `...` keeps it) or
        description. A name or key another tag already has is refused with a conflict error."""
        with self._write() as conn:
            tag = self._get_tag(conn, name)
            if tag is None:
                raise NotFoundError(f"no tag named {normalize_tag_name(name)!r}")
            sets: list[str] = []
            params: list[Any] = []
            if new_name is not None:
                clean = normalize_tag_name(new_name)
                other = self._get_tag(conn, clean)
                if other is not None and other.id != tag.id:
                    raise StoreError(f"a tag named {other.name!r} already exists", kind="conflict")
                sets += ["name = ?", "fold = ?"]
                params += [clean, tag_fold(clean)]
            if color is not None:
                sets.append("color = ?")
                params.append(color)
            if description is not None:
                sets.append("description = ?")
                params.append(description)
            if key is not ...:
                if key is not None and (
                    isinstance(key, bool) or not isinstance(key, int) or key not in QUICK_KEYS
                ):
                    raise InvalidInputError(f"a quick key is 1-9 or None, not {key!r}")
                holder = conn.execute(
                    'SELECT name FROM tags WHERE "key" = ? AND id != ?', (key, tag.id)
                ).fetchone()
                if holder:
                    raise StoreError(
                        f"quick key {key} is already used by tag {holder[0]!r}", kind="conflict"
                    )
                sets.append('"key" = ?')
                params.append(key)
            if sets:
                conn.execute(f"UPDATE tags SET {', '.join(sets)} WHERE id = ?", [*params, tag.id])
            row = conn.execute(
                f"SELECT {_TAG_COLUMNS} FROM tags t WHERE t.id = ?", (tag.id,)
            ).fetchone()
        return _tag(row)

    @_api
    def delete_tag(self, name: str) -> None:
        """Delete a tag from the codebook and from every annotation (the annotations stay)."""
        with self._write() as conn:
            fold = tag_fold(normalize_tag_name(name))
            if conn.execute("DELETE FROM tags WHERE fold = ?", (fold,)).rowcount != 1:
                raise NotFoundError(f"no tag named {normalize_tag_name(name)!r}")

    # -- search --------------------------------------------------------------------------------

    @_api
    def search(
        self,
        query: str,
        *,
        limit: int = 50,
        document_id: int | None = None,
        kinds: Collection[str] = SEARCH_KINDS,
        prefix: bool = False,
    ) -> list[SearchHit]:
        """Full-text search over quotes, notes, tag names and document texts, best first.

        Every word of `query` is matched literally (punctuation and FTS operators included);
        all words must occur. Case and accents are ignored. With `prefix`, the last word also
        matches longer words. An empty query gives []. An annotation gives one hit: "quote"
        when its quote matches, else "note" when its note does (the first that `kinds`
        allows); a match in tag names only is a "quote" hit without spans. Documents give
        "document" hits with context from the text (or the title when only it matches).
        """
        match = fts.fts_query(query, prefix=prefix)
        if not match or limit <= 0:
            return []
        conn = self._require()
        ranked: list[tuple[float, int, SearchHit]] = []
        if "quote" in kinds or "note" in kinds:
            ranked += fts.annotation_hits(conn, match, limit, document_id, kinds)
        if "document" in kinds:
            ranked += fts.document_hits(conn, match, limit, document_id)
        # bm25 of the two indexes is on similar scales; ties go to what a person wrote.
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [hit for _, _, hit in ranked[:limit]]

    # -- maintenance ---------------------------------------------------------------------------

    @_api
    def rebuild_search_index(self) -> None:
        """Rebuild both full-text indexes from the tables (one transaction)."""
        with self._write():
            rebuild_fts(self._require())

    @_api
    def schema_version(self) -> int:
        """The schema version stamped in the file (`PRAGMA user_version`)."""
        return int(self._require().execute("PRAGMA user_version").fetchone()[0])
