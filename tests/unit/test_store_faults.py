"""The store under faults (GUIDE 6): every one becomes a one-line StoreError and loses nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tui.model import Anchor, Document
from tui.store import Store, StoreError, schema
from tui.store.errors import translate

REPO = Path(__file__).resolve().parents[2]
TEXT = "The trial opened in Almaty on Monday. The verdict was decided in advance."


def doc(title: str = "Trial", text: str = TEXT) -> Document:
    return Document(text=text, title=title, source=f"/articles/{title}.txt")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_line(err: pytest.ExceptionInfo[StoreError]) -> str:
    message = str(err.value)
    assert message and "\n" not in message, message
    return message


@pytest.fixture
def filled(tmp_path: Path) -> Path:
    """A closed database file with one document and one annotation."""
    path = tmp_path / "annotations.db"
    with Store(path) as store:
        added = store.add_document(doc())
        assert added.id is not None
        store.add_annotation(added.id, Anchor(4, 9, "trial", "The ", " opened", ""), note="n")
    assert not (tmp_path / "annotations.db-wal").exists()  # checkpointed on close
    return path


# -- opening ---------------------------------------------------------------------------------


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "no" / "such" / "folder" / "a.db"
    with pytest.raises(StoreError) as err:
        Store(path)
    assert err.value.kind == "missing"
    assert "does not exist" in one_line(err)
    assert not (tmp_path / "no").exists()


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    assert "folder" in one_line(err)


def test_new_file_is_created_on_first_use(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    with Store(path) as store:
        assert store.list_documents() == []
    assert path.stat().st_size > 0


@pytest.mark.parametrize(
    "content",
    [
        os.urandom(8192),
        b"# My notes\n\nThis is a Markdown file passed as --db by mistake.\n" * 50,
        b"SQLite format 3\x00" + b"\xff" * 4000,
    ],
    ids=["random", "markdown", "bad-header"],
)
def test_not_a_database_is_refused_and_untouched(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "garbage.db"
    path.write_bytes(content)
    with pytest.raises(StoreError) as err:
        Store(path)
    assert err.value.kind == "corrupt"
    assert str(path) in one_line(err)
    assert path.read_bytes() == content


def test_damaged_database_gives_store_errors(filled: Path) -> None:
    data = bytearray(filled.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    data[page:] = os.urandom(len(data) - page)  # keep the header page, wreck the rest
    filled.write_bytes(bytes(data))
    errors = []
    try:
        with Store(filled) as store:
            for call in (store.list_documents, lambda: store.get_document(1), store.list_tags):
                try:
                    call()
                except StoreError as exc:
                    errors.append(exc)
    except StoreError as exc:
        errors.append(exc)
    assert errors, "a wrecked database must not read as if nothing happened"
    assert all("\n" not in str(e) for e in errors)


def test_newer_user_version_is_refused_and_never_modified(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    before = digest(filled)
    with pytest.raises(StoreError) as err:
        Store(filled)
    assert err.value.kind == "newer"
    assert "newer margin" in one_line(err)
    assert digest(filled) == before
    with pytest.raises(StoreError):
        Store(filled, read_only=True)
    assert digest(filled) == before


def test_unknown_applied_migration_is_refused(filled: Path) -> None:
    conn = sqlite3.connect(filled)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('margin', '0099_from_the_future', '2099-01-01')"
    )
    conn.commit()
    conn.close()
    before = digest(filled)
    with pytest.raises(StoreError) as err:
        Store(filled)
    assert err.value.kind == "newer"
    assert "0099_from_the_future" in one_line(err)
    assert digest(filled) == before


def test_other_programs_databases_are_refused(tmp_path: Path) -> None:
    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices (total) VALUES (9.5)")
    conn.commit()
    conn.close()
    before = digest(foreign)
    with pytest.raises(StoreError) as err:
        Store(foreign)
    assert err.value.kind == "foreign"
    one_line(err)
    assert digest(foreign) == before

    stamped = tmp_path / "stamped.db"
    conn = sqlite3.connect(stamped)
    conn.execute("PRAGMA application_id = 1234")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError) as err:
        Store(stamped)
    assert err.value.kind == "foreign"


def test_failed_upgrade_leaves_no_half_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tui.store.store as store_module

    def broken(db: object, *args: object, **kwargs: object) -> list[str]:
        schema.migrate(db, *args, **kwargs)  # type: ignore[arg-type]
        raise sqlite3.OperationalError("database or disk is full")

    path = tmp_path / "a.db"
    monkeypatch.setattr(store_module, "migrate", broken)
    with pytest.raises(StoreError) as err:
        Store(path)
    assert err.value.kind == "full"
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 0
    conn.close()
    monkeypatch.undo()
    with Store(path) as store:  # a later run upgrades normally
        assert store.schema_version() == schema.SCHEMA_VERSION


# -- read-only -------------------------------------------------------------------------------


def test_read_only_reads_but_refuses_every_write(filled: Path) -> None:
    before = digest(filled)
    with Store(filled, read_only=True) as store:
        (info,) = store.list_documents()
        assert store.get_document(info.id).text == TEXT
        assert store.search("trial")
        ann = store.annotations_for(info.id)[0]
        writes = [
            lambda: store.add_document(doc("x")),
            lambda: store.set_position(info.id, 3),
            lambda: store.add_annotation(info.id, Anchor(0, 3, "The", "", "", "")),
            lambda: store.update_annotation(ann.id, note="lost?"),
            lambda: store.delete_annotation(ann.id),
            lambda: store.ensure_tag("t"),
            lambda: store.delete_document(info.id),
        ]
        for write in writes:
            with pytest.raises(StoreError) as err:
                write()
            assert err.value.kind == "read-only"
            one_line(err)
        # even raw SQL through the connection is refused (PRAGMA query_only + mode=ro)
        with pytest.raises(sqlite3.OperationalError) as raw:
            store.db.execute("DELETE FROM annotations")
        assert translate(raw.value, store.path).kind == "read-only"
    assert digest(filled) == before


def test_read_only_needs_an_existing_current_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError) as err:
        Store(tmp_path / "absent.db", read_only=True)
    assert err.value.kind == "missing"
    assert not (tmp_path / "absent.db").exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    with pytest.raises(StoreError) as err:
        Store(empty, read_only=True)
    assert "without read-only" in one_line(err)
    assert empty.read_bytes() == b""


PERMISSIONS_CHILD = """
import sys
from pathlib import Path
from tui.model import Document
from tui.store import Store, StoreError

def attempt(path, read_only):
    try:
        with Store(path, read_only=read_only) as store:
            titles = [d.title for d in store.list_documents()]
            store.add_document(Document(text="x", title="y"))
            return "WROTE"
    except StoreError as err:
        assert "\\n" not in str(err)
        return f"{err.kind}:{'opened' if 'titles' in locals() else 'refused'}"

folder = Path(sys.argv[1])
print(attempt(folder / "file" / "a.db", False), attempt(folder / "file" / "a.db", True))
print(attempt(folder / "dir" / "a.db", False), attempt(folder / "dir" / "a.db", True))
print(attempt(folder / "dir" / "new.db", False))
"""


@pytest.mark.skipif(
    os.geteuid() != 0 or not Path("/usr/bin/setpriv").exists(),
    reason="needs root to drop to 'nobody' with setpriv (root ignores permissions)",
)
def test_read_only_file_and_folder_by_permissions() -> None:
    import shutil
    import tempfile

    base = Path(tempfile.mkdtemp())
    try:
        base.chmod(0o777)
        for name in ("file", "dir"):
            (base / name).mkdir()
            with Store(base / name / "a.db") as store:
                store.add_document(doc())
            (base / name).chmod(0o777)
            (base / name / "a.db").chmod(0o444 if name == "file" else 0o644)
        (base / "dir").chmod(0o555)
        result = subprocess.run(
            ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
            + [sys.executable, "-c", PERMISSIONS_CHILD, str(base)],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        lines = result.stdout.split("\n")
        # read-only file: opens, reads, refuses the write; read_only=True reads too
        assert lines[0] == "read-only:opened read-only:opened"
        # read-only folder: a WAL database cannot be opened for writing (no -shm), but
        # read_only=True still reads it
        assert lines[1] == "read-only:refused read-only:opened"
        assert lines[2] == "read-only:refused"
    finally:
        for folder in (base / "dir", base / "file"):
            if folder.exists():
                folder.chmod(0o755)
        shutil.rmtree(base)


# -- locking ---------------------------------------------------------------------------------


def test_locked_database_times_out_with_a_clear_error(filled: Path) -> None:
    other = sqlite3.connect(filled, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE documents SET title = 'held by the other program'")
    try:
        with Store(filled, timeout=0.2) as store:  # opening needs no write lock
            (info,) = store.list_documents()  # WAL: reading goes on while locked
            assert info.title == "Trial"
            t0 = time.perf_counter()
            with pytest.raises(StoreError) as err:
                store.add_annotation(info.id, Anchor(0, 3, "The", "", "", ""), tags=["t"])
            waited = time.perf_counter() - t0
            assert err.value.kind == "locked"
            assert "locked" in one_line(err)
            assert waited >= 0.15  # it waited for the busy timeout before giving up
            other.execute("COMMIT")
            ann = store.add_annotation(info.id, Anchor(0, 3, "The", "", "", ""), tags=["t"])
            assert [a.id for a in store.annotations_for(info.id)] == [ann.id, 1]
            assert store.get_document(info.id).title == "held by the other program"
    finally:
        if other.in_transaction:
            other.execute("ROLLBACK")
        other.close()


# -- disk full -------------------------------------------------------------------------------


def test_disk_full_is_a_clear_error_and_keeps_the_previous_state(filled: Path) -> None:
    with Store(filled) as store:
        (info,) = store.list_documents()
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        # SQLite reports SQLITE_FULL exactly as for a full disk when the file may not grow.
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        big = doc("Big", "word " * 200_000)
        with pytest.raises(StoreError) as err:
            store.add_document(big)
        assert err.value.kind == "full"
        assert "full" in one_line(err)
        assert [d.title for d in store.list_documents()] == ["Trial"]
        assert store.annotations_for(info.id)[0].note == "n"
        store.update_annotation(store.annotations_for(info.id)[0].id, note="still works")
    with Store(filled) as store:
        assert store.annotations_for(info.id)[0].note == "still works"
        assert len(store.list_documents()) == 1


# -- crashes ---------------------------------------------------------------------------------


def _child(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _kill_after(proc: subprocess.Popen[str], marker: str) -> None:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != marker:
        proc.kill()
        raise AssertionError(f"child said {line!r}: {proc.communicate()[1]}")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    assert proc.returncode == -signal.SIGKILL


def test_sigkill_right_after_a_write_keeps_the_write(filled: Path) -> None:
    proc = _child(
        f"""
        import time
        from tui.model import Anchor
        from tui.store import Store
        store = Store({str(filled)!r})
        ann = store.add_annotation(1, Anchor(0, 3, "The", "", "", ""), note="typed just now")
        store.set_position(1, 42)
        print("written", flush=True)
        time.sleep(60)
        """
    )
    _kill_after(proc, "written")
    with Store(filled) as store:
        assert [a.note for a in store.annotations_for(1)] == ["typed just now", "n"]
        assert store.get_document(1).position == 42
        assert store.search("typed")[0].kind == "note"


def test_sigkill_inside_a_transaction_loses_only_that_transaction(filled: Path) -> None:
    proc = _child(
        f"""
        import time
        from tui.model import Document
        from tui.store import Store
        store = Store({str(filled)!r})
        store.add_document(Document(text="committed", title="Committed"))
        with store.bulk():
            for i in range(200):
                store.add_document(Document(text="half " * 1000, title=f"Half {{i}}"))
            print("inside", flush=True)
            time.sleep(60)
        """
    )
    _kill_after(proc, "inside")
    with Store(filled) as store:
        assert [d.title for d in store.list_documents()] == ["Trial", "Committed"]
        assert store.search("half") == []
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


# -- messages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("database or disk is full", "full"),
        ("database is locked", "locked"),
        ("attempt to write a readonly database", "read-only"),
        ("file is not a database", "corrupt"),
        ("database disk image is malformed", "corrupt"),
        ("unable to open database file", "missing"),
        ("something else entirely", "error"),
    ],
)
def test_translate_gives_one_line_per_kind(message: str, kind: str) -> None:
    err = translate(sqlite3.OperationalError(message), "/home/me/annotations.db")
    assert err.kind == kind
    assert "/home/me/annotations.db" in str(err) and "\n" not in str(err)


# -- upgrades ----------------------------------------------------------------------------------


def first_version_database(path: Path) -> None:
    """A database as the first margin wrote it: only migration 0001 applied."""
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

    old = Migrations(schema.MIGRATION_SET)
    old(name=schema.MIGRATION_NAMES[0])(schema._FUNCTIONS[0])
    conn = sqlite3.connect(path, isolation_level=None)
    schema.migrate(Database(conn), old, version=1)
    conn.execute(
        "INSERT INTO documents (title, text, length, position, last_read)"
        " VALUES ('Old', 'Old text.', 9, 4, '2026-01-02T03:04:05Z')"
    )
    conn.close()


def test_an_older_database_is_upgraded_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    first_version_database(path)
    with pytest.raises(StoreError) as err:
        Store(path, read_only=True)
    assert err.value.kind == "needs-upgrade"
    with Store(path) as store:
        assert store.schema_version() == schema.SCHEMA_VERSION
        (old,) = store.list_documents()
        assert (old.title, old.position, old.last_read) == ("Old", 4, "2026-01-02T03:04:05Z")
        assert store.get_document(old.id).position == 4  # the reading state moved with it
        indexes = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master")}
        assert "documents_list" in indexes


def test_the_library_list_reads_the_covering_index_not_the_texts() -> None:
    from tui.store.store import _INFO_COLUMNS, _INFO_FROM

    store = Store.memory()

    plan = store.db.execute(
        f"EXPLAIN QUERY PLAN SELECT {_INFO_COLUMNS} FROM {_INFO_FROM} ORDER BY d.id"
    ).fetchall()
    assert any("COVERING INDEX documents_list" in row[-1] for row in plan), plan


def test_position_writes_skip_the_fsync_and_everything_else_keeps_it(filled: Path) -> None:
    with Store(filled) as store:
        (info,) = store.list_documents()
        seen: list[str] = []
        conn = store._require()
        conn.set_trace_callback(seen.append)
        store.set_position(info.id, 3)
        conn.set_trace_callback(None)
        assert "PRAGMA synchronous = NORMAL" in seen and seen[-1] == "PRAGMA synchronous = FULL"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL for notes
    with Store(filled) as store:
        assert store.get_document(info.id).position == 3  # committed all the same


def test_saving_the_position_does_not_rewrite_the_text(tmp_path: Path) -> None:
    """The position is saved as the person scrolls: it must not write the book again."""
    path = tmp_path / "book.db"
    with Store(path) as store:
        book = store.add_document(Document(text="A sentence of a book. " * 100_000, title="B"))
        assert book.id is not None
        wal = Path(f"{path}-wal")
        conn = store._require()
        for position in (10, 200):
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # an empty log: count this write
            assert wal.stat().st_size == 0
            store.set_position(book.id, position)
            assert wal.stat().st_size < 100_000  # the text alone is 2.2 MB
        assert store.get_document(book.id).position == 200
        store.delete_document(book.id)
        assert store._require().execute("SELECT count(*) FROM reading").fetchone()[0] == 0
