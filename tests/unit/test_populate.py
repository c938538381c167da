"""The benchmark populate tool fills a store through margin's own API, as described."""

from __future__ import annotations

from benchmarks.populate import main
from tui.store import Store


def test_populate_one_document(tmp_path, sample):
    db = tmp_path / "p.db"
    main(["--db", str(db), "--doc", str(sample), "--annotations", "60"])
    with Store(db) as store:
        (info,) = store.list_documents()
        anns = store.annotations_for(info.id)
        text = store.get_document(info.id).text
        tags = store.list_tags()
    assert len(anns) == 60
    assert all(text[a.start : a.end] == a.exact for a in anns)
    assert all(1 <= len(a.tags) <= 3 for a in anns)
    assert 10 <= sum(1 for a in anns if a.note) <= 30  # about a third
    assert len(tags) == 30 and {t.key for t in tags if t.key} == set(range(1, 10))


def test_populate_a_library(tmp_path):
    db = tmp_path / "l.db"
    main(["--db", str(db), "--documents", "5", "--annotations", "50"])
    with Store(db) as store:
        docs = store.list_documents()
        assert len(docs) == 5
        assert sum(d.annotations for d in docs) == 50
