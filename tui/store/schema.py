"""The database schema: named migrations, the full-text triggers, and the version check.

Every change to the schema is a new named migration appended below; applied names are recorded
by sqlite-utils in `_sqlite_migrations` (set "margin") and the count in `PRAGMA user_version`.
A database that has a migration name we do not know, or a higher user_version, was written by a
newer margin and is refused before anything is written to it.

After any `table.transform()` in a migration, call `create_fts_triggers(db)`: transform drops
the triggers of the table it rebuilds, silently, and the search index would stop following.
Migrations run inside the store's `BEGIN IMMEDIATE` with `foreign_keys` off (so a transform's
DROP TABLE cannot cascade), followed by `PRAGMA foreign_key_check` before commit.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

from tui.store.errors import StoreError

if TYPE_CHECKING:  # sqlite-utils is imported only to migrate: every read command skips it
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

#: `PRAGMA application_id` of a margin database ("mrgn"), so we can tell another program's file.
APPLICATION_ID = 0x6D72676E
MIGRATION_SET = "margin"
STATUSES = ("anchored", "moved", "needs-review", "ambiguous", "orphan")
#: unicode61 folds case for every script; remove_diacritics 2 makes "cafe" find "Café".
TOKENIZE = "unicode61 remove_diacritics 2"

#: What the schema helpers run statements on: a sqlite3 connection or a sqlite-utils Database.
Executor: TypeAlias = "sqlite3.Connection | Database"

_NAMES: list[str] = []
_FUNCTIONS: list[Callable[[Database], None]] = []


def _migration(name: str) -> Callable[[Callable[[Database], None]], Callable[[Database], None]]:
    """Register a migration under `name`, keeping our own ordered list of the known names."""

    def register(fn: Callable[[Database], None]) -> Callable[[Database], None]:
        _NAMES.append(name)
        _FUNCTIONS.append(fn)
        return fn

    return register


@functools.cache
def migration_set() -> Migrations:
    """The sqlite-utils migration set holding every registered migration, in order."""
    from sqlite_utils.migrations import Migrations

    migrations = Migrations(MIGRATION_SET)
    for name, fn in zip(_NAMES, _FUNCTIONS, strict=True):
        migrations(name=name)(fn)
    return migrations


def _script(db: Database, sql: str) -> None:
    """Run `;`-separated statements one by one (executescript would COMMIT our transaction)."""
    for statement in sql.split(";\n"):
        if statement.strip():
            db.execute(statement)


# The tag names of one annotation, for its row in annotations_fts.
_TAGS_OF = (
    "(SELECT coalesce(group_concat(t.name, ' '), '') FROM annotation_tags x"
    " JOIN tags t ON t.id = x.tag_id WHERE x.annotation_id = {id})"
)

_TRIGGERS = {
    # documents_fts is external content: it must be told the old values to forget them.
    "margin_documents_ai": """AFTER INSERT ON documents BEGIN
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "margin_documents_ad": """AFTER DELETE ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
    END""",
    # Only on title/text: set_position runs often and must not re-index a whole book.
    "margin_documents_au": """AFTER UPDATE OF title, text ON documents BEGIN
        INSERT INTO documents_fts(documents_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        INSERT INTO documents_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
    END""",
    "margin_annotations_ai": f"""AFTER INSERT ON annotations BEGIN
        INSERT INTO annotations_fts(rowid, exact, note, tags)
            VALUES (new.id, new.exact, new.note, {_TAGS_OF.format(id="new.id")});
    END""",
    "margin_annotations_ad": """AFTER DELETE ON annotations BEGIN
        DELETE FROM annotations_fts WHERE rowid = old.id;
    END""",
    "margin_annotations_au": """AFTER UPDATE OF exact, note ON annotations BEGIN
        UPDATE annotations_fts SET exact = new.exact, note = new.note WHERE rowid = new.id;
    END""",
    "margin_annotation_tags_ai": f"""AFTER INSERT ON annotation_tags BEGIN
        UPDATE annotations_fts SET tags = {_TAGS_OF.format(id="new.annotation_id")}
            WHERE rowid = new.annotation_id;
    END""",
    "margin_annotation_tags_ad": f"""AFTER DELETE ON annotation_tags BEGIN
        UPDATE annotations_fts SET tags = {_TAGS_OF.format(id="old.annotation_id")}
            WHERE rowid = old.annotation_id;
    END""",
    "margin_tags_au": f"""AFTER UPDATE OF name ON tags BEGIN
        UPDATE annotations_fts SET tags = {_TAGS_OF.format(id="annotations_fts.rowid")}
            WHERE rowid IN (SELECT annotation_id FROM annotation_tags WHERE tag_id = new.id);
    END""",
}


def create_fts_triggers(db: Executor) -> None:
    """(Re)create the triggers that keep both full-text tables in step with their tables.

    Idempotent; call it from every migration that rebuilds documents, annotations, tags or
    annotation_tags (sqlite-utils' `transform()` drops their triggers).
    """
    for name, body in _TRIGGERS.items():
        db.execute(f"DROP TRIGGER IF EXISTS {name}")
        db.execute(f"CREATE TRIGGER {name} {body}")


#: The per-row triggers a batch insert of annotations replaces by one set-based statement.
BATCH_TRIGGERS = ("margin_annotations_ai", "margin_annotation_tags_ai")


def drop_batch_triggers(db: Executor) -> None:
    """Drop the per-row annotation-insert triggers (inside a transaction, for a batch).

    The caller must run `index_new_annotations` and `create_fts_triggers` before committing.
    """
    for name in BATCH_TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")


def index_new_annotations(db: Executor, after_id: int) -> None:
    """Add annotations with id > `after_id` (and their tags) to annotations_fts in one go."""
    db.execute(
        "INSERT INTO annotations_fts(rowid, exact, note, tags) SELECT a.id, a.exact, a.note, "
        + _TAGS_OF.format(id="a.id")
        + " FROM annotations a WHERE a.id > ?",
        (after_id,),
    )


def rebuild_fts(db: Executor) -> None:
    """Rebuild both full-text indexes from their tables (after a repair or a bulk change)."""
    db.execute("INSERT INTO documents_fts(documents_fts) VALUES ('rebuild')")
    db.execute("DELETE FROM annotations_fts")
    db.execute(
        "INSERT INTO annotations_fts(rowid, exact, note, tags) SELECT a.id, a.exact, a.note, "
        + _TAGS_OF.format(id="a.id")
        + " FROM annotations a"
    )


@_migration("0001_initial")
def _initial(db: Database) -> None:
    statuses = ", ".join(f"'{s}'" for s in STATUSES)
    # AUTOINCREMENT so an id is never reused: a deleted annotation can be restored under its
    # old id, and a stale document id on a command line cannot name a different document.
    _script(
        db,
        f"""
CREATE TABLE documents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    title TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL DEFAULT 'text',
    text TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',
    words INTEGER NOT NULL DEFAULT 0,
    length INTEGER NOT NULL DEFAULT 0,
    metadata TEXT NOT NULL DEFAULT '{{}}',
    structure TEXT NOT NULL DEFAULT '{{}}',
    position INTEGER NOT NULL DEFAULT 0,
    imported TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL DEFAULT '',
    last_read TEXT NOT NULL DEFAULT ''
);
CREATE INDEX documents_source ON documents(source);
CREATE INDEX documents_sha256 ON documents(sha256);
CREATE TABLE annotations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    exact TEXT NOT NULL DEFAULT '',
    prefix TEXT NOT NULL DEFAULT '',
    suffix TEXT NOT NULL DEFAULT '',
    text_sha256 TEXT NOT NULL DEFAULT '',
    color TEXT NOT NULL DEFAULT 'yellow',
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'anchored' CHECK (status IN ({statuses})),
    score REAL NOT NULL DEFAULT 1.0,
    created TEXT NOT NULL DEFAULT '',
    updated TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX annotations_uuid ON annotations(uuid);
CREATE INDEX annotations_document_start ON annotations(document_id, start);
CREATE TABLE tags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    fold TEXT NOT NULL,
    color TEXT NOT NULL DEFAULT '',
    "key" INTEGER CHECK ("key" BETWEEN 1 AND 9),
    description TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX tags_name ON tags(name COLLATE NOCASE);
CREATE UNIQUE INDEX tags_fold ON tags(fold);
CREATE UNIQUE INDEX tags_key ON tags("key") WHERE "key" IS NOT NULL;
CREATE TABLE annotation_tags (
    annotation_id INTEGER NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
    tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (annotation_id, tag_id)
);
CREATE INDEX annotation_tags_tag ON annotation_tags(tag_id);
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, text, content='documents', content_rowid='id', tokenize='{TOKENIZE}'
);
CREATE VIRTUAL TABLE annotations_fts USING fts5(exact, note, tags, tokenize='{TOKENIZE}')
""",
    )
    create_fts_triggers(db)


@_migration("0002_document_list_index")
def _document_list_index(db: Executor) -> None:
    # The library columns sit after a document's text in each row; reading them walks the
    # text's overflow pages (12 MB for 1,000 articles). A covering index lets `margin list`
    # and the library screen read them without touching the texts.
    db.execute(
        "CREATE INDEX documents_list ON documents"
        "(id, title, source, words, imported, last_read, position, length, format)"
    )


@_migration("0003_reading_state")
def _reading_state(db: Executor) -> None:
    # The reading position and last-read time move to a row of their own: saving the position
    # as the person scrolls rewrote the document's whole row, text included (3 MB for a book,
    # 40 ms). documents.position and documents.last_read stay, unused, as older databases
    # have them; the list index no longer carries them.
    _script(
        db,
        """
CREATE TABLE reading (
    document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL DEFAULT 0,
    last_read TEXT NOT NULL DEFAULT ''
);
INSERT INTO reading (document_id, position, last_read)
    SELECT id, position, last_read FROM documents;
DROP INDEX documents_list;
CREATE INDEX documents_list ON documents (id, title, source, words, imported, length, format)
""",
    )


#: Names of the migrations this margin knows, in order; their count is the schema version.
MIGRATION_NAMES: tuple[str, ...] = tuple(_NAMES)
SCHEMA_VERSION = len(MIGRATION_NAMES)


@dataclass(frozen=True, slots=True)
class SchemaState:
    """What a database says about its schema, read without writing anything."""

    user_version: int
    application_id: int
    applied: tuple[str, ...]
    other_tables: bool


def inspect(conn: sqlite3.Connection) -> SchemaState:
    """Read the version markers. The first read of a file is where SQLite notices garbage.

    Plain SQL on the connection, reading sqlite-utils' `_sqlite_migrations` table as
    `Migrations.applied()` does, so that opening a current database never imports sqlite-utils.
    """
    user_version = conn.execute("PRAGMA user_version").fetchone()[0]
    application_id = conn.execute("PRAGMA application_id").fetchone()[0]
    applied: tuple[str, ...] = ()
    if conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone():
        applied = tuple(
            row[0]
            for row in conn.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
                (MIGRATION_SET,),
            )
        )
    other = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()[0]
    return SchemaState(user_version, application_id, applied, bool(other))


def check_compatible(
    state: SchemaState,
    where: str,
    *,
    known: tuple[str, ...] = MIGRATION_NAMES,
    version: int = SCHEMA_VERSION,
) -> bool:
    """Raise StoreError for a database we must not touch; return True if it needs migrating."""
    if state.application_id not in (0, APPLICATION_ID):
        raise StoreError(
            f"{where} belongs to another program (application id {state.application_id:#x})",
            kind="foreign",
        )
    unknown = [name for name in state.applied if name not in known]
    if state.user_version > version or unknown:
        detail = f"migration {unknown[0]!r}" if unknown else f"version {state.user_version}"
        raise StoreError(
            f"{where} was written by a newer margin ({detail}; this one knows version "
            f"{version}); upgrade margin to open it",
            kind="newer",
        )
    if state.other_tables and not state.applied and state.application_id != APPLICATION_ID:
        raise StoreError(
            f"{where} is a SQLite database of another program, not a margin database",
            kind="foreign",
        )
    return state.user_version < version or len(state.applied) < len(known)


def migrate(
    db: Database, migrations: Migrations | None = None, *, version: int = SCHEMA_VERSION
) -> list[str]:
    """Apply the pending migrations and stamp the version; returns the names applied.

    The caller holds the write transaction, so the whole upgrade is one commit or nothing
    (sqlite-utils nests each migration in a savepoint inside it).
    """
    if migrations is None:
        migrations = migration_set()
    pending = [m.name for m in migrations.pending(db)]
    migrations.apply(db)
    db.execute(f"PRAGMA user_version = {int(version)}")
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    return pending
