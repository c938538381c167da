"""Full-text search: hostile queries, scripts and accents, hits and their plain-text context."""

from __future__ import annotations

import pytest

from tui.model import Anchor, Document, Resolution
from tui.store import Store
from tui.store.fts import CLOSE, OPEN, fts_query, plain_snippet

ARTICLE = (
    "The trial of the journalist opened in Almaty.\n"
    "Critics say the verdict was decided in advance; the court denied it.\n"
    "Суд над журналистом начался в Алматы. Власть молчит.\n"
    "A café owner's résumé mentioned naïve [bold]markup[/] and a.b notation."
)


@pytest.fixture
def store() -> Store:
    with Store.memory() as s:
        yield s


def quote(text: str, part: str) -> Anchor:
    start = text.index(part)
    return Anchor(start, start + len(part), part, "", "", "")


@pytest.fixture
def doc_id(store: Store) -> int:
    doc = store.add_document(Document(text=ARTICLE, title="Kazakhstan: a trial"))
    assert doc.id is not None
    return doc.id


HOSTILE = [
    "don't",
    "a.b",
    '"',
    '""',
    '"unbalanced',
    "NEAR(",
    "NEAR(a b)",
    "*",
    "trial*",
    "AND",
    "OR NOT",
    "-x",
    "+",
    "^trial",
    "(((",
    ")",
    "[bold]",
    "title:trial",
    "{exact note}: x",
    "😀",
    "👩‍👩‍👧",
    "\x00",
    "\\",
    "'; DROP TABLE annotations; --",
    "%_",
    "word " * 500,
]


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_queries_never_raise(store: Store, doc_id: int, query: str) -> None:
    store.add_annotation(doc_id, quote(ARTICLE, "verdict"), note="don't forget (NEAR")
    hits = store.search(query)
    assert isinstance(hits, list)
    assert store.search(query, prefix=True, document_id=doc_id) is not None
    assert len(store.all_annotations()) == 1  # and nothing was harmed


@pytest.mark.parametrize("query", ["", "   ", "\n\t"])
def test_empty_query_gives_nothing(store: Store, doc_id: int, query: str) -> None:
    assert store.search(query) == []


def test_punctuation_is_matched_as_words(store: Store, doc_id: int) -> None:
    ann = store.add_annotation(doc_id, quote(ARTICLE, "verdict"), note="Don't trust it")
    assert [h.annotation_id for h in store.search("don't", kinds=("note",))] == [ann.id]
    hit = store.search("a.b")[0]
    assert hit.kind == "document"
    assert "a.b" in hit.context
    # "[bold]" is two brackets around a word: it finds the word, and the context is the raw text
    hit = store.search("[bold]")[0]
    assert "[bold]markup[/]" in hit.context


def test_quote_hit_has_plain_context_and_spans(store: Store, doc_id: int) -> None:
    ann = store.add_annotation(doc_id, quote(ARTICLE, "the verdict was decided in advance"))
    (hit,) = store.search("decided", kinds=("quote",))
    assert (hit.kind, hit.annotation_id, hit.document_id) == ("quote", ann.id, doc_id)
    assert hit.document_title == "Kazakhstan: a trial"
    assert hit.context == "the verdict was decided in advance"
    assert [hit.context[s:e] for s, e in hit.spans] == ["decided"]


def test_note_hit_when_only_the_note_matches(store: Store, doc_id: int) -> None:
    ann = store.add_annotation(
        doc_id, quote(ARTICLE, "verdict"), note="Compare with the\n1937 show trials"
    )
    (hit,) = store.search("show trials", kinds=("quote", "note"))
    assert (hit.kind, hit.annotation_id) == ("note", ann.id)
    assert hit.context == "Compare with the 1937 show trials"  # one line, same length
    assert [hit.context[s:e] for s, e in hit.spans] == ["show", "trials"]


def test_tag_names_are_searchable(store: Store, doc_id: int) -> None:
    ann = store.add_annotation(doc_id, quote(ARTICLE, "verdict"), tags=["Press freedom"])
    (hit,) = store.search("freedom")
    assert (hit.kind, hit.annotation_id, hit.spans) == ("quote", ann.id, ())
    store.update_tag("press freedom", new_name="censorship")
    assert store.search("freedom") == []
    assert [h.annotation_id for h in store.search("censorship")] == [ann.id]
    store.remove_tag_from_annotation(ann.id, "censorship")
    assert store.search("censorship") == []
    store.add_tag_to_annotation(ann.id, "media")
    assert [h.annotation_id for h in store.search("media")] == [ann.id]
    store.delete_tag("media")
    assert store.search("media") == []


def test_document_hit_context_and_spans(store: Store, doc_id: int) -> None:
    (hit,) = store.search("advance")
    assert (hit.kind, hit.document_id, hit.annotation_id) == ("document", doc_id, None)
    assert hit.document_title == "Kazakhstan: a trial"
    assert "\n" not in hit.context
    assert OPEN not in hit.context and CLOSE not in hit.context
    assert [hit.context[s:e] for s, e in hit.spans] == ["advance"]


def test_long_document_context_is_a_window(store: Store) -> None:
    text = " ".join(["filler"] * 5000) + " needle " + " ".join(["filler"] * 5000)
    doc = store.add_document(Document(text=text, title="Long"))
    (hit,) = store.search("needle")
    assert hit.document_id == doc.id
    assert len(hit.context) < 400
    assert hit.context.startswith("…") and hit.context.endswith("…")
    assert [hit.context[s:e] for s, e in hit.spans] == ["needle"]


def test_title_only_match_shows_the_title(store: Store, doc_id: int) -> None:
    (hit,) = store.search("kazakhstan")
    assert hit.kind == "document"
    assert [hit.context[s:e] for s, e in hit.spans] == ["Kazakhstan"]


def test_cyrillic_and_case(store: Store, doc_id: int) -> None:
    ann = store.add_annotation(doc_id, quote(ARTICLE, "Власть молчит"), note="ВЛАСТЬ и СУД")
    hits = store.search("власть")
    assert {h.kind for h in hits} == {"quote", "document"}
    assert next(h for h in hits if h.kind == "quote").annotation_id == ann.id
    assert [h.kind for h in store.search("суд", kinds=("note",))] == ["note"]
    assert [h.kind for h in store.search("АЛМАТЫ")] == ["document"]


def test_accents_are_ignored_both_ways(store: Store, doc_id: int) -> None:
    ann = store.add_annotation(doc_id, quote(ARTICLE, "café owner's résumé"), note="Cafe notes")
    assert {h.annotation_id for h in store.search("cafe", kinds=("quote",))} == {ann.id}
    assert {h.annotation_id for h in store.search("RESUME", kinds=("quote",))} == {ann.id}
    assert [h.kind for h in store.search("naive")] == ["document"]
    (hit,) = store.search("café", kinds=("note",))
    assert hit.context[slice(*hit.spans[0])] == "Cafe"


def test_all_words_must_match(store: Store, doc_id: int) -> None:
    store.add_annotation(doc_id, quote(ARTICLE, "the verdict was decided"))
    assert len(store.search("verdict decided", kinds=("quote",))) == 1
    assert store.search("verdict kazakhstan", kinds=("quote",)) == []


def test_prefix_search_for_typing(store: Store, doc_id: int) -> None:
    assert store.search("journ") == []
    assert [h.kind for h in store.search("journ", prefix=True)] == ["document"]
    assert [h.kind for h in store.search("журн", prefix=True)] == ["document"]


def test_ranking_puts_the_better_match_first(store: Store) -> None:
    strong = store.add_document(Document(text="verdict " * 20, title="Verdict"))
    weak = store.add_document(
        Document(text="one verdict among " + "many other words " * 200, title="Notes")
    )
    assert [h.document_id for h in store.search("verdict")] == [strong.id, weak.id]


def test_filters_limit_and_kinds(store: Store, doc_id: int) -> None:
    other = store.add_document(Document(text="Another verdict elsewhere.", title="Other"))
    assert other.id is not None
    mine = store.add_annotation(doc_id, quote(ARTICLE, "verdict"), note="verdict note")
    theirs = store.add_annotation(other.id, quote("Another verdict elsewhere.", "verdict"))
    assert len(store.search("verdict")) == 4
    assert len(store.search("verdict", limit=2)) == 2
    assert store.search("verdict", limit=0) == []
    only = store.search("verdict", document_id=doc_id)
    assert {(h.kind, h.document_id) for h in only} == {("quote", doc_id), ("document", doc_id)}
    assert {h.annotation_id for h in store.search("verdict", kinds=("quote",))} == {
        mine.id,
        theirs.id,
    }
    assert {h.kind for h in store.search("verdict", kinds=("document",))} == {"document"}


def test_index_follows_every_change(store: Store, doc_id: int) -> None:
    ann = store.add_annotation(doc_id, quote(ARTICLE, "verdict"), note="first thought")
    store.update_annotation(ann.id, note="second thought")
    assert store.search("first") == []
    assert [h.annotation_id for h in store.search("second")] == [ann.id]
    new_text = "A new edition without that word."
    doc = store.get_document(doc_id)
    doc.text, doc.title = new_text, "Renamed"
    store.replace_text(doc, {ann.id: Resolution("orphan", None, None, 0.0)})
    assert store.search("advance") == []
    assert [h.document_title for h in store.search("edition")] == ["Renamed"]
    assert [h.annotation_id for h in store.search("verdict")] == [ann.id]  # quote kept
    store.set_position(doc_id, 5)
    assert [h.kind for h in store.search("edition")] == ["document"]
    store.delete_annotation(ann.id)
    assert store.search("second") == []
    store.delete_document(doc_id)
    assert store.search("edition") == []


def test_rebuild_search_index_gives_the_same_answers(store: Store, doc_id: int) -> None:
    store.add_annotation(doc_id, quote(ARTICLE, "verdict"), note="n", tags=["press"])
    before = store.search("verdict") + store.search("press")
    store.rebuild_search_index()
    assert store.search("verdict") + store.search("press") == before


# -- the pure helpers --------------------------------------------------------------------------


def test_fts_query_quotes_every_token() -> None:
    assert fts_query("") == ""
    assert fts_query("  \n ") == ""
    assert fts_query("don't stop") == '"don\'t" "stop"'
    assert fts_query('say "hi"') == '"say" """hi"""'
    assert fts_query("NEAR( AND") == '"NEAR(" "AND"'
    assert fts_query("kaz", prefix=True) == '"kaz"*'
    assert fts_query("a\x00b") == '"a" "b"'
    assert fts_query("w " * 1000).count('"w"') == 32


def test_plain_snippet_strips_marks_and_keeps_offsets() -> None:
    marked = f"…the {OPEN}verdict{CLOSE} was\n{OPEN}decided{CLOSE}…"
    text, spans = plain_snippet(marked)
    assert text == "…the verdict was decided…"
    assert [text[s:e] for s, e in spans] == ["verdict", "decided"]
    assert plain_snippet("no marks") == ("no marks", ())
    assert plain_snippet(f"odd {CLOSE}close") == ("odd close", ())
    assert plain_snippet(f"{OPEN}{CLOSE}") == ("", ())
