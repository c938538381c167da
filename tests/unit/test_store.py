"""The store: documents, annotations, tags, transactions, schema and persistence."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tui.model import Anchor, Annotation, Block, Document, Mark, Resolution
from tui.store import (
    InvalidInputError,
    NotFoundError,
    Store,
    StoreError,
    normalize_tag_name,
    schema,
)
from tui.store.store import now_iso

REPO = Path(__file__).resolve().parents[2]

TEXT = (
    "The trial opened in Almaty on Monday.\n\n"
    "Critics say the verdict was decided in advance. Власть молчит.\n\n"
    "The journalist denied every charge."
)


@pytest.fixture
def store() -> Store:
    with Store.memory() as s:
        yield s


def make_doc(text: str = TEXT, title: str = "Kazakhstan trial", source: str = "") -> Document:
    return Document(
        text=text,
        title=title,
        blocks=[
            Block("heading", 0, 9, 1),
            Block("paragraph", 0, 37),
            Block("list_item", 39, 100, 2, "-"),
            Block("code", 101, 110, 0, "python"),
        ],
        marks=[Mark("emphasis", 4, 9), Mark("link", 13, 19, "https://example.org/a?b=1")],
        sentences=[(0, 37), (39, 86), (87, 100)],
        source=source or "/articles/trial.txt",
        format="markdown",
        metadata={"author": "Anna", "site": "fp"},
    )


def anchor_for(text: str, quote: str, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    end = start + len(quote)
    return Anchor(start, end, quote, text[max(0, start - 32) : start], text[end : end + 32], "")


@pytest.fixture
def doc(store: Store) -> Document:
    return store.add_document(make_doc())


# -- documents -------------------------------------------------------------------------------


def test_add_and_get_document_round_trips_everything(store: Store) -> None:
    original = make_doc()
    added = store.add_document(original)
    assert added.id is not None and added.imported
    assert original.id is None  # a copy was returned, the argument is untouched
    got = store.get_document(added.id)
    assert got.text == original.text
    assert got.title == original.title
    assert got.blocks == original.blocks
    assert got.marks == original.marks
    assert got.sentences == original.sentences
    assert got.metadata == original.metadata
    assert (got.source, got.format, got.position) == (original.source, "markdown", 0)
    assert got.imported == added.imported
    assert got.sha256 == original.sha256


def test_document_info_counts_words_length_and_annotations(store: Store, doc: Document) -> None:
    assert doc.id is not None
    store.add_annotation(doc.id, anchor_for(TEXT, "verdict"))
    store.add_annotation(doc.id, anchor_for(TEXT, "journalist"))
    (info,) = store.list_documents()
    assert (info.id, info.title, info.annotations) == (doc.id, doc.title, 2)
    assert info.words == len(TEXT.split())
    assert info.length == len(TEXT)
    assert info.format == "markdown"
    assert store.get_document_info(doc.id) == info


def test_get_missing_document_is_not_found(store: Store) -> None:
    with pytest.raises(NotFoundError) as err:
        store.get_document(42)
    assert isinstance(err.value, StoreError) and isinstance(err.value, LookupError)
    assert "42" in str(err.value)


def test_find_by_source_and_sha256(store: Store) -> None:
    first = store.add_document(make_doc(source="/a.txt"))
    second = store.add_document(make_doc(source="/a.txt", text=TEXT + " More."))
    info = store.find_by_source("/a.txt")
    assert info is not None and info.id == second.id  # the latest import of that source
    assert store.find_by_source("/missing.txt") is None
    twin = store.find_by_sha256(first.sha256)
    assert twin is not None and twin.id == first.id
    assert store.find_by_sha256("0" * 64) is None


def test_find_documents_prefers_exact_matches(store: Store) -> None:
    a = store.add_document(make_doc(title="Trial in Almaty", source="/x/a.txt"))
    b = store.add_document(make_doc(title="Trial of the century", source="/x/b.txt"))
    c = store.add_document(make_doc(title="Власть и суд", source="/x/c.txt"))
    d = store.add_document(make_doc(title="1", source="/x/d.txt"))
    assert [i.id for i in store.find_documents(str(b.id))] == [b.id]
    assert [i.id for i in store.find_documents("/x/a.txt")] == [a.id]
    assert [i.id for i in store.find_documents("trial")] == [a.id, b.id]  # ambiguous: both
    assert [i.id for i in store.find_documents("TRIAL OF")] == [b.id]
    assert [i.id for i in store.find_documents("trial in almaty")] == [a.id]
    assert [i.id for i in store.find_documents("ВЛАСТЬ")] == [c.id]  # Unicode case folding
    # "1" is both the id of `a` and the whole title of `d`: both are exact, id first
    assert [i.id for i in store.find_documents("1")] == [a.id, d.id]
    assert store.find_documents("nothing like it") == []
    assert store.find_documents("   ") == []


def test_set_position_clamps_and_sets_last_read(store: Store, doc: Document) -> None:
    assert doc.id is not None
    store.set_position(doc.id, 20)
    got = store.get_document(doc.id)
    assert got.position == 20 and got.last_read
    store.set_position(doc.id, 10**9)
    assert store.get_document(doc.id).position == len(TEXT)
    store.set_position(doc.id, -5)
    assert store.get_document(doc.id).position == 0
    assert store.list_documents()[0].progress == 0.0
    with pytest.raises(NotFoundError):
        store.set_position(999, 1)


def test_delete_document_takes_its_annotations_but_not_tags(store: Store, doc: Document) -> None:
    assert doc.id is not None
    other = store.add_document(make_doc(title="Other"))
    assert other.id is not None
    store.add_annotation(doc.id, anchor_for(TEXT, "verdict"), tags=["power"])
    store.add_annotation(doc.id, anchor_for(TEXT, "trial"), tags=["power", "courts"])
    kept = store.add_annotation(other.id, anchor_for(TEXT, "trial"), tags=["power"])
    assert store.delete_document(doc.id) == 2
    with pytest.raises(NotFoundError):
        store.get_document(doc.id)
    assert store.annotations_for(doc.id) == []
    assert [a.id for a in store.all_annotations()] == [kept.id]
    assert {t.name: t.count for t in store.list_tags()} == {"power": 1, "courts": 0}
    with pytest.raises(NotFoundError):
        store.delete_document(doc.id)


def test_ids_are_never_reused(store: Store) -> None:
    first = store.add_document(make_doc())
    assert first.id is not None
    store.delete_document(first.id)
    assert store.add_document(make_doc()).id != first.id


def test_replace_text_moves_annotations_and_keeps_quotes(store: Store, doc: Document) -> None:
    assert doc.id is not None
    moved = store.add_annotation(doc.id, anchor_for(TEXT, "verdict"), note="key")
    lost = store.add_annotation(doc.id, anchor_for(TEXT, "journalist"))
    review = store.add_annotation(doc.id, anchor_for(TEXT, "Almaty"))
    untouched = store.add_annotation(doc.id, anchor_for(TEXT, "trial"))
    store.set_position(doc.id, len(TEXT))
    new_text = "UPDATE: " + TEXT.replace("The journalist denied every charge.", "Short.")
    new_doc = make_doc(text=new_text, title="Kazakhstan trial (updated)")
    new_doc.id = doc.id
    new_doc.metadata = {"author": "Anna", "edited": "yes"}
    vs = new_text.index("verdict")
    store.replace_text(
        new_doc,
        {
            moved.id: Resolution("moved", vs, vs + 7, 0.97),
            lost.id: Resolution("orphan", None, None, 0.2),
            review.id: Resolution("needs-review", 10, 16, 0.6),
        },
    )
    got = store.get_document(doc.id)
    assert got.text == new_text and got.title == "Kazakhstan trial (updated)"
    assert got.metadata == {"author": "Anna", "edited": "yes"}
    assert got.position == len(new_text)  # clamped to the shorter text
    info = store.get_document_info(doc.id)
    assert info.length == len(new_text) and info.annotations == 4
    by_id = {a.id: a for a in store.annotations_for(doc.id)}
    assert (by_id[moved.id].start, by_id[moved.id].end) == (vs, vs + 7)
    assert (by_id[moved.id].status, by_id[moved.id].score) == ("moved", 0.97)
    assert by_id[moved.id].note == "key"
    # the orphan keeps where it last was; nothing is deleted
    assert (by_id[lost.id].start, by_id[lost.id].end) == (lost.start, lost.end)
    assert by_id[lost.id].status == "orphan" and not by_id[lost.id].placed
    assert (by_id[review.id].start, by_id[review.id].status) == (10, "needs-review")
    assert by_id[untouched.id] == untouched
    for before in (moved, lost, review):
        after = by_id[before.id]
        assert (after.exact, after.prefix, after.suffix) == (
            before.exact,
            before.prefix,
            before.suffix,
        )


def test_replace_text_with_foreign_annotation_changes_nothing(store: Store, doc: Document) -> None:
    assert doc.id is not None
    other = store.add_document(make_doc(title="Other"))
    assert other.id is not None
    mine = store.add_annotation(doc.id, anchor_for(TEXT, "verdict"))
    theirs = store.add_annotation(other.id, anchor_for(TEXT, "verdict"))
    new_doc = make_doc(text="Completely new text about a verdict.")
    new_doc.id = doc.id
    with pytest.raises(InvalidInputError):
        store.replace_text(
            new_doc,
            {
                mine.id: Resolution("moved", 27, 34, 0.9),
                theirs.id: Resolution("moved", 27, 34, 0.9),
            },
        )
    assert store.get_document(doc.id).text == TEXT
    assert store.get_annotation(mine.id) == mine
    assert store.get_annotation(theirs.id) == theirs
    assert store.search("completely") == []


def test_replace_text_needs_a_stored_document(store: Store) -> None:
    with pytest.raises(InvalidInputError):
        store.replace_text(make_doc(), {})
    ghost = make_doc()
    ghost.id = 77
    with pytest.raises(NotFoundError):
        store.replace_text(ghost, {})


# -- annotations -----------------------------------------------------------------------------


def test_add_annotation_saves_everything(store: Store, doc: Document) -> None:
    assert doc.id is not None
    anchor = anchor_for(TEXT, "verdict was decided")
    ann = store.add_annotation(doc.id, anchor, color="green", note="a [bold]note[/]", tags=["x"])
    assert uuid.UUID(ann.uuid).version == 4
    assert (ann.start, ann.end, ann.exact) == (anchor.start, anchor.end, anchor.exact)
    assert (ann.prefix, ann.suffix) == (anchor.prefix, anchor.suffix)
    assert (ann.color, ann.note, ann.tags) == ("green", "a [bold]note[/]", ["x"])
    assert (ann.status, ann.score, ann.document_id) == ("anchored", 1.0, doc.id)
    assert ann.created and ann.created == ann.updated
    assert store.get_annotation(ann.id) == ann
    second = store.add_annotation(doc.id, anchor)
    assert second.uuid != ann.uuid and second.color == "yellow" and second.tags == []


def test_add_annotation_checks_document_and_span(store: Store, doc: Document) -> None:
    assert doc.id is not None
    with pytest.raises(NotFoundError):
        store.add_annotation(999, anchor_for(TEXT, "trial"))
    for start, end in [(-1, 3), (5, 2), (0, len(TEXT) + 1)]:
        with pytest.raises(InvalidInputError):
            store.add_annotation(doc.id, Anchor(start, end, "x", "", "", ""))
    with pytest.raises(InvalidInputError):
        store.add_annotation(doc.id, anchor_for(TEXT, "trial"), tags="power")  # type: ignore[arg-type]
    assert store.annotations_for(doc.id) == []


def test_text_with_nul_and_controls_round_trips(store: Store) -> None:
    text = "a\x00b \x1b[31mred\x1b[0m \u202eevil\u202c 👩‍👩‍👧 e\u0301"
    added = store.add_document(make_doc(text=text))
    assert added.id is not None
    ann = store.add_annotation(added.id, Anchor(0, 3, "a\x00b", "", "", ""), note="n\x00te")
    assert store.get_document(added.id).text == text
    assert store.get_annotation(ann.id).exact == "a\x00b"
    assert store.get_annotation(ann.id).note == "n\x00te"


def test_lone_surrogates_are_refused_cleanly(store: Store, doc: Document) -> None:
    assert doc.id is not None
    with pytest.raises(InvalidInputError):
        store.add_document(make_doc(text="bad \udcff byte"))
    with pytest.raises(InvalidInputError):
        store.add_annotation(doc.id, anchor_for(TEXT, "trial"), note="bad \udcff")
    assert len(store.list_documents()) == 1
    assert store.annotations_for(doc.id) == []


def test_annotations_for_is_in_text_order_with_orphans(store: Store, doc: Document) -> None:
    assert doc.id is not None
    late = store.add_annotation(doc.id, anchor_for(TEXT, "journalist"))
    early = store.add_annotation(doc.id, anchor_for(TEXT, "trial"))
    middle = store.add_annotation(doc.id, anchor_for(TEXT, "verdict"))
    store.replace_text(
        _same(doc), {late.id: Resolution("orphan", None, None, 0.0)}
    )  # an orphan stays listed
    assert [a.id for a in store.annotations_for(doc.id)] == [early.id, middle.id, late.id]
    assert store.annotations_for(doc.id)[2].status == "orphan"


def _same(doc: Document) -> Document:
    copy = make_doc()
    copy.id = doc.id
    return copy


def test_all_annotations_filters_by_documents_and_tags(store: Store) -> None:
    a = store.add_document(make_doc(title="A"))
    b = store.add_document(make_doc(title="B"))
    assert a.id is not None and b.id is not None
    a1 = store.add_annotation(a.id, anchor_for(TEXT, "verdict"), tags=["Power"])
    a2 = store.add_annotation(a.id, anchor_for(TEXT, "trial"), tags=["courts"])
    b1 = store.add_annotation(b.id, anchor_for(TEXT, "trial"), tags=["power", "courts"])
    b2 = store.add_annotation(b.id, anchor_for(TEXT, "Almaty"))
    assert [x.id for x in store.all_annotations()] == [a2.id, a1.id, b1.id, b2.id]
    assert [x.id for x in store.all_annotations([b.id])] == [b1.id, b2.id]
    assert [x.id for x in store.all_annotations(tags=["POWER"])] == [a1.id, b1.id]
    assert [x.id for x in store.all_annotations(tags=["#power", "courts"])] == [
        a2.id,
        a1.id,
        b1.id,
    ]
    assert [x.id for x in store.all_annotations([a.id], tags=["courts"])] == [a2.id]
    assert store.all_annotations([]) == []
    assert store.all_annotations(tags=["unknown"]) == []


def test_update_annotation(store: Store, doc: Document) -> None:
    assert doc.id is not None
    ann = store.add_annotation(doc.id, anchor_for(TEXT, "verdict"), note="old", tags=["t"])
    changed = store.update_annotation(ann.id, note="new")
    assert (changed.note, changed.color, changed.tags) == ("new", "yellow", ["t"])
    assert changed.updated >= ann.updated
    changed = store.update_annotation(ann.id, color="pink")
    assert (changed.note, changed.color) == ("new", "pink")
    assert store.update_annotation(ann.id) == changed  # nothing to change
    assert store.update_annotation(ann.id, note="").note == ""
    with pytest.raises(NotFoundError):
        store.update_annotation(999, note="x")


def test_annotation_tags_keep_order_and_identity(store: Store, doc: Document) -> None:
    assert doc.id is not None
    ann = store.add_annotation(
        doc.id, anchor_for(TEXT, "verdict"), tags=["Power", "#power", " courts ", "POWER"]
    )
    assert ann.tags == ["Power", "courts"]  # first spelling wins, duplicates dropped
    ann = store.add_tag_to_annotation(ann.id, "media")
    assert ann.tags == ["Power", "courts", "media"]
    assert store.add_tag_to_annotation(ann.id, "MEDIA").tags == ann.tags  # already there
    ann = store.remove_tag_from_annotation(ann.id, "courts")
    assert ann.tags == ["Power", "media"]
    assert store.remove_tag_from_annotation(ann.id, "never-existed").tags == ann.tags
    ann = store.set_annotation_tags(ann.id, ["media", "new one", "power"])
    assert ann.tags == ["media", "new one", "Power"]
    assert store.set_annotation_tags(ann.id, []).tags == []
    assert store.get_tag("courts") is not None  # removing a tag from a highlight keeps the tag
    with pytest.raises(NotFoundError):
        store.add_tag_to_annotation(999, "x")
    with pytest.raises(InvalidInputError):
        store.add_tag_to_annotation(ann.id, "  # ")


def test_delete_and_restore_annotation(store: Store, doc: Document) -> None:
    assert doc.id is not None
    ann = store.add_annotation(
        doc.id, anchor_for(TEXT, "verdict"), color="blue", note="keep me", tags=["b", "a"]
    )
    later = store.add_annotation(doc.id, anchor_for(TEXT, "trial"))
    gone = store.delete_annotation(ann.id)
    assert gone == ann
    with pytest.raises(NotFoundError):
        store.get_annotation(ann.id)
    store.delete_tag("a")  # the tag went away meanwhile: restoring recreates it
    back = store.restore_annotation(gone)
    assert back == ann  # same id, uuid, times, note, colour, tags in order
    assert store.search("keep")[0].annotation_id == ann.id
    with pytest.raises(StoreError) as err:
        store.restore_annotation(gone)
    assert err.value.kind == "conflict"
    assert [a.id for a in store.annotations_for(doc.id)] == [later.id, ann.id]


def test_restore_into_a_deleted_document_is_refused(store: Store, doc: Document) -> None:
    assert doc.id is not None
    gone = store.delete_annotation(store.add_annotation(doc.id, anchor_for(TEXT, "trial")).id)
    store.delete_document(doc.id)
    with pytest.raises(NotFoundError):
        store.restore_annotation(gone)


def test_add_annotations_batch(store: Store, doc: Document) -> None:
    assert doc.id is not None
    fixed = str(uuid.uuid4())
    items = [
        Annotation(
            0, fixed, doc.id, 4, 9, "trial", note="imported", created="2020-01-01T00:00:00Z"
        ),
        Annotation(0, "", doc.id, 0, 3, "The", tags=["Imported", "x"]),
        Annotation(0, "", doc.id, 0, 0, "lost quote", status="orphan", score=0.0),
    ]
    assert store.add_annotations(items) == 3
    anns = store.annotations_for(doc.id)
    by_uuid = {a.uuid: a for a in anns}
    assert by_uuid[fixed].created == "2020-01-01T00:00:00Z"
    assert by_uuid[fixed].updated == "2020-01-01T00:00:00Z"
    assert [a.tags for a in anns if a.exact == "The"] == [["Imported", "x"]]
    assert [a.status for a in anns if a.exact == "lost quote"] == ["orphan"]
    # the same uuid again: refused as a whole, or skipped on request
    again = [Annotation(0, "", doc.id, 0, 3, "new"), items[0]]
    with pytest.raises(StoreError) as err:
        store.add_annotations(again)
    assert err.value.kind == "conflict"
    assert len(store.annotations_for(doc.id)) == 3
    assert store.add_annotations(again, skip_existing=True) == 1
    assert len(store.annotations_for(doc.id)) == 4
    with pytest.raises(InvalidInputError):
        store.add_annotations([Annotation(0, "", doc.id, 0, 3, "x", status="lost")])  # type: ignore[arg-type]


def test_large_batch_is_indexed_and_keeps_triggers(store: Store, doc: Document) -> None:
    assert doc.id is not None
    items = [
        Annotation(0, "", doc.id, 0, 3, "The", note=f"batch note {i}", tags=[f"t{i % 3}"])
        for i in range(500)  # above BATCH_INDEX_THRESHOLD: set-based indexing
    ]
    assert store.add_annotations(items) == 500
    assert len(store.search("batch", limit=1000)) == 500
    assert len(store.search("t1", limit=1000)) == len([i for i in range(500) if i % 3 == 1])
    triggers = {
        name
        for (name,) in store.db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
    }
    assert set(schema.BATCH_TRIGGERS) <= triggers
    after = store.add_annotation(doc.id, anchor_for(TEXT, "verdict"), note="single afterwards")
    assert [h.annotation_id for h in store.search("afterwards")] == [after.id]


# -- tags ------------------------------------------------------------------------------------


def test_normalize_tag_name() -> None:
    assert normalize_tag_name("  #power  ") == "power"
    assert normalize_tag_name("##social   class") == "social class"
    assert normalize_tag_name("# #x") == "x"
    assert normalize_tag_name("c#") == "c#"
    assert normalize_tag_name("Cafe\u0301") == "Café"  # NFC
    for bad in ["", "   ", "#", "# ", "a\x00b", "x" * 201, ["list"], None]:
        with pytest.raises(InvalidInputError):
            normalize_tag_name(bad)


def test_new_tags_get_the_lowest_free_quick_key(store: Store, doc: Document) -> None:
    assert doc.id is not None
    names = [f"code{i}" for i in range(1, 11)]
    store.add_annotation(doc.id, anchor_for(TEXT, "trial"), tags=names)
    keys = {t.name: t.key for t in store.list_tags()}
    assert [keys[n] for n in names] == [1, 2, 3, 4, 5, 6, 7, 8, 9, None]
    store.delete_tag("code4")
    assert store.ensure_tag("fresh").key == 4


def test_list_tags_order_and_counts(store: Store, doc: Document) -> None:
    assert doc.id is not None
    store.add_annotation(doc.id, anchor_for(TEXT, "trial"), tags=["zeta", "alpha"])
    store.add_annotation(doc.id, anchor_for(TEXT, "verdict"), tags=["alpha"])
    store.ensure_tag("Beta")
    store.update_tag("zeta", key=None)
    store.update_tag("alpha", key=7)
    assert [(t.name, t.key, t.count) for t in store.list_tags()] == [
        ("Beta", 3, 0),
        ("alpha", 7, 2),
        ("zeta", None, 1),
    ]


def test_tag_identity_is_case_insensitive_in_any_script(store: Store) -> None:
    first = store.ensure_tag("Власть", color="red", description="power")
    again = store.ensure_tag("#власть", color="blue")
    assert again.id == first.id and again.name == "Власть" and again.color == "red"
    tag = store.get_tag("ВЛАСТЬ")
    assert tag is not None and tag.description == "power"
    assert store.get_tag("nope") is None
    assert len(store.list_tags()) == 1


def test_update_tag(store: Store, doc: Document) -> None:
    assert doc.id is not None
    ann = store.add_annotation(doc.id, anchor_for(TEXT, "trial"), tags=["power", "courts"])
    tag = store.update_tag("power", new_name="Power", color="red", description="d")
    assert (tag.name, tag.color, tag.description, tag.key, tag.count) == ("Power", "red", "d", 1, 1)
    tag = store.update_tag("power", new_name="authority")
    assert store.get_annotation(ann.id).tags == ["authority", "courts"]  # links survive
    with pytest.raises(StoreError) as err:
        store.update_tag("authority", new_name="COURTS")
    assert err.value.kind == "conflict" and "courts" in str(err.value)
    with pytest.raises(StoreError) as err:
        store.update_tag("authority", key=2)
    assert err.value.kind == "conflict" and "courts" in str(err.value)
    for bad in (0, 10, True, "3"):
        with pytest.raises(InvalidInputError):
            store.update_tag("authority", key=bad)  # type: ignore[arg-type]
    assert store.update_tag("courts", key=None).key is None
    assert store.update_tag("authority", key=2).key == 2
    assert store.update_tag("authority").key == 2  # `...` keeps the key
    with pytest.raises(NotFoundError):
        store.update_tag("missing", color="x")


def test_delete_tag_keeps_annotations(store: Store, doc: Document) -> None:
    assert doc.id is not None
    ann = store.add_annotation(doc.id, anchor_for(TEXT, "trial"), note="n", tags=["a", "b"])
    store.delete_tag("A")
    assert store.get_annotation(ann.id).tags == ["b"]
    assert store.get_annotation(ann.id).note == "n"
    with pytest.raises(NotFoundError):
        store.delete_tag("a")


# -- transactions ----------------------------------------------------------------------------


def test_an_exception_inside_a_transaction_rolls_everything_back(
    store: Store, doc: Document
) -> None:
    assert doc.id is not None
    with pytest.raises(RuntimeError), store.bulk():
        store.add_document(make_doc(title="Second"))
        store.add_annotation(doc.id, anchor_for(TEXT, "trial"), tags=["new-tag"])
        store.set_position(doc.id, 30)
        raise RuntimeError("power cut")
    assert [d.title for d in store.list_documents()] == [doc.title]
    assert store.annotations_for(doc.id) == []
    assert store.list_tags() == []
    assert store.get_document(doc.id).position == 0
    assert store.search("trial")[0].kind == "document"  # index rolled back too


def test_failure_midway_through_one_write_leaves_nothing(
    store: Store, doc: Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert doc.id is not None
    real = Store._ensure_tag_id
    calls = []

    def flaky(self: Store, conn: sqlite3.Connection, name: str, *args: str) -> int:
        calls.append(name)
        if len(calls) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, conn, name, *args)

    monkeypatch.setattr(Store, "_ensure_tag_id", flaky)
    with pytest.raises(StoreError) as err:
        store.add_annotation(doc.id, anchor_for(TEXT, "trial"), note="n", tags=["one", "two"])
    assert err.value.kind == "full"
    monkeypatch.undo()
    assert store.annotations_for(doc.id) == []
    assert store.list_tags() == []
    assert store.search("trial")[0].kind == "document"


def test_a_failed_call_inside_bulk_rolls_back_only_itself(store: Store, doc: Document) -> None:
    assert doc.id is not None
    with store.bulk():
        kept = store.add_annotation(doc.id, anchor_for(TEXT, "trial"))
        with pytest.raises(InvalidInputError):
            store.add_annotation(doc.id, Anchor(0, 10**6, "x", "", "", ""), tags=["t"])
        store.add_annotation(doc.id, anchor_for(TEXT, "verdict"))
    assert [a.id for a in store.annotations_for(doc.id)][0] == kept.id
    assert len(store.annotations_for(doc.id)) == 2


def test_writes_use_begin_immediate(store: Store, doc: Document) -> None:
    assert doc.id is not None
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    store.add_annotation(doc.id, anchor_for(TEXT, "trial"), tags=["a"])
    store.set_position(doc.id, 3)
    store.db.conn.set_trace_callback(None)
    begins = [s for s in statements if s.startswith("BEGIN")]
    assert begins == ["BEGIN IMMEDIATE", "BEGIN IMMEDIATE"]
    assert statements.count("COMMIT") == 2


def test_out_of_range_numbers_are_invalid_input(store: Store, doc: Document) -> None:
    assert doc.id is not None
    with pytest.raises(InvalidInputError):
        store.get_annotation(10**30)
    with pytest.raises(InvalidInputError):
        store.set_position(doc.id, 10**30)
    assert store.get_document(doc.id).position == 0


def test_bulk_stops_when_sqlite_ended_the_transaction(store: Store, doc: Document) -> None:
    assert doc.id is not None
    with pytest.raises(StoreError), store.bulk():
        store.add_annotation(doc.id, anchor_for(TEXT, "trial"))
        store.db.conn.execute("ROLLBACK")  # as SQLite does itself after some errors
        store.add_annotation(doc.id, anchor_for(TEXT, "verdict"))  # must not autocommit
    assert store.annotations_for(doc.id) == []


def test_closed_store_raises_store_error() -> None:
    store = Store.memory()
    store.close()
    store.close()  # twice is fine
    with pytest.raises(StoreError) as err:
        store.list_documents()
    assert err.value.kind == "closed"


# -- schema ----------------------------------------------------------------------------------


def test_schema_is_recorded_by_named_migrations(store: Store) -> None:
    assert store.schema_version() == schema.SCHEMA_VERSION == len(schema.MIGRATION_NAMES)
    applied = [m.name for m in schema.migration_set().applied(store.db)]
    assert applied == list(schema.MIGRATION_NAMES)
    assert store.db.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    for table in ("documents", "annotations", "tags", "annotation_tags"):
        assert store.db[table].pks == (["annotation_id", "tag_id"] if "_" in table else ["id"])


def test_transform_drops_triggers_and_the_helper_restores_them(store: Store, doc: Document) -> None:
    assert doc.id is not None
    store.add_annotation(doc.id, anchor_for(TEXT, "trial"), note="before")
    conn = store.db.conn
    conn.execute("PRAGMA foreign_keys = OFF")  # as Store._upgrade runs migrations
    store.db["annotations"].transform(types={"score": float}, column_order=["id", "uuid"])
    conn.execute("PRAGMA foreign_keys = ON")
    ann = store.add_annotation(doc.id, anchor_for(TEXT, "verdict"), note="afterwards")
    assert store.search("afterwards") == []  # the index silently stopped following
    with store.bulk():
        schema.create_fts_triggers(store.db)
        schema.rebuild_fts(store.db)
    assert [h.annotation_id for h in store.search("afterwards")] == [ann.id]
    store.update_annotation(ann.id, note="changed")
    assert [h.annotation_id for h in store.search("changed")] == [ann.id]
    assert store.search("afterwards") == []


def test_store_never_imports_ui_document_or_anchoring() -> None:
    code = (
        "import sys, tui.store\n"
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual'"
        " or m.startswith(('tui.document', 'tui.anchoring', 'tui.ui'))]\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -- on a real file ----------------------------------------------------------------------------


def test_file_store_persists_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "annotations.db"
    with Store(path) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
        doc = store.add_document(make_doc())
        assert doc.id is not None
        ann = store.add_annotation(doc.id, anchor_for(TEXT, "verdict"), note="n", tags=["k"])
        store.set_position(doc.id, 12)
    assert path.exists()
    with Store(path) as store:
        assert store.get_document(doc.id).position == 12
        assert store.get_annotation(ann.id) == ann
        assert store.search("verdict")[0].annotation_id == ann.id
        assert store.schema_version() == schema.SCHEMA_VERSION


def test_second_store_waits_for_the_first_writer(tmp_path: Path) -> None:
    import threading
    import time

    path = tmp_path / "a.db"
    first = Store(path)
    second = Store(path, timeout=10)
    doc = first.add_document(make_doc())
    assert doc.id is not None
    inside = threading.Event()

    def hold() -> None:
        with first.bulk():
            first.set_position(doc.id or 0, 5)
            inside.set()
            time.sleep(0.4)

    holder = threading.Thread(target=hold)
    holder.start()
    inside.wait(5)
    t0 = time.perf_counter()
    second.set_position(doc.id, 9)  # waits for the lock instead of failing
    waited = time.perf_counter() - t0
    holder.join()
    assert waited > 0.1
    assert first.get_document(doc.id).position == 9
    first.close()
    second.close()


def test_now_iso_is_utc() -> None:
    stamp = now_iso()
    assert stamp.endswith("Z") and "T" in stamp and len(stamp) == 24


def test_benchmark_runs_at_a_small_size(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.store import bench

    bench.run(":memory:", docs=3, per_doc=5, big=20)
    out = capsys.readouterr().out
    assert "annotations_for" in out and "search" in out


# -- structure encoding ------------------------------------------------------------------------


def test_structure_round_trips_and_older_encodings_still_read() -> None:
    from tui.model import Block, Document, Mark
    from tui.store.store import _decode_structure, _encode_structure

    doc = Document(
        text="# T\n\nOne. Two.\n",
        title="T",
        blocks=[Block("heading", 0, 3, 1), Block("code", 5, 15, 0, "py")],
        marks=[Mark("link", 5, 8, "https://example.org"), Mark("em", 10, 13)],
        sentences=[(5, 9), (10, 14)],
    )
    assert _decode_structure(_encode_structure(doc)) == (doc.blocks, doc.marks, doc.sentences)
    older = (
        '{"blocks":[["heading",0,3,1],["code",5,15,0,"py"]],'
        '"marks":[["link",5,8,"https://example.org"],["em",10,13]],"sentences":[[5,9],[10,14]]}'
    )
    assert _decode_structure(older) == (doc.blocks, doc.marks, doc.sentences)


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "not json",
        "[1, 2]",
        '{"blocks":[["paragraph",0]],"sentences":[]}',
        '{"blocks":[],"sentences":[[0,1,2]]}',
        '{"blocks":[],"sentences":[[0,"x"]]}',
        '{"v":3,"kinds":["paragraph"],"starts":"not base64!","ends":"","levels":"",'
        '"infos":{},"marks":[],"sentences":""}',
        '{"v":3,"kinds":["paragraph","paragraph"],"starts":"AAAAAAAAAAA=",'
        '"ends":"BQAAAAAAAAA=","levels":"AAAAAAAAAAA=","infos":{},"marks":[],"sentences":""}',
        '{"v":3,"kinds":["paragraph"],"starts":"AAAAAAAAAAA=","ends":"BQAAAAAAAAA=",'
        '"levels":"AAAAAAAAAAA=","infos":{"7":"x"},"marks":[],"sentences":""}',
        '{"v":3,"kinds":["paragraph"],"starts":"AAAAAAAAAAA=","ends":"BQAAAAAAAAA=",'
        '"levels":"AAAAAAAAAAA=","infos":{},"marks":[],"sentences":"AAAAAAAAAAA="}',
        '{"v":3,"kinds":["paragraph"],"marks":[]}',
        '{"v":3,"kinds":"p","starts":"AAAAAAAAAAA=","ends":"BQAAAAAAAAA=",'
        '"levels":"AAAAAAAAAAA=","infos":{},"marks":[],"sentences":""}',
    ],
)
def test_damaged_structure_reads_as_empty(raw: str) -> None:
    from tui.store.store import _decode_structure

    blocks, marks, sentences = _decode_structure(raw)
    assert (blocks, marks, sentences) == ([], [], [])


def test_structure_keeps_a_block_kind_it_does_not_know() -> None:
    from tui.model import Block, Document
    from tui.store.store import _decode_structure, _encode_structure

    doc = Document(
        text="x y",
        title="t",
        blocks=[Block("aside", 0, 3)],  # type: ignore[arg-type]
        sentences=[(0, 3)],
    )
    assert _decode_structure(_encode_structure(doc)) == (doc.blocks, [], [(0, 3)])
