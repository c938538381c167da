"""Find-in-text: case, accents and line breaks do not hide a match; offsets are the text's."""

from __future__ import annotations

import re

from tests.conftest import SHARED
from tui.textsearch import TextSearch, fold

WAR_AND_PEACE = SHARED / "corpus" / "texts" / "pg2600-war-and-peace-en.txt"


def found(text: str, query: str) -> list[str]:
    spans, _more = TextSearch(text).find(query)
    return [text[s:e] for s, e in spans]


def test_case_and_accents_are_ignored() -> None:
    text = "Natásha met NATASHA and natasha; Kutúzov; Ёлка and елка; café CAFE"
    assert found(text, "natasha") == ["Natásha", "NATASHA", "natasha"]
    assert found(text, "NATÁSHA") == ["Natásha", "NATASHA", "natasha"]
    assert found(text, "kutuzov") == ["Kutúzov"]
    assert found(text, "елка") == ["Ёлка", "елка"]
    assert found(text, "cafe") == ["café", "CAFE"]


def test_a_space_matches_a_line_break() -> None:
    text = "said Prince\nAndrew, and prince   andrew again"
    assert found(text, "prince andrew") == ["Prince\nAndrew", "prince   andrew"]
    assert found(text, "   ") == []
    assert found(text, "") == []


def test_special_characters_are_literal() -> None:
    text = "a.b a*b (x) [y] a+b \\d"
    assert found(text, "a.b") == ["a.b"]
    assert found(text, "(x)") == ["(x)"]
    assert found(text, "[y]") == ["[y]"]
    assert found(text, "\\d") == ["\\d"]


def test_offsets_survive_text_whose_lower_case_is_longer() -> None:
    text = "İstanbul and istanbul, then Straße"
    assert "İ".lower() != "i" and len(text.lower()) != len(text)
    assert found(text, "istanbul") == ["İstanbul", "istanbul"]
    assert found(text, "straße") == ["Straße"]


def test_matches_do_not_overlap_and_the_limit_is_reported() -> None:
    search = TextSearch("aaaaa")
    assert search.find("aa") == ([(0, 2), (2, 4)], False)
    assert search.find("a", limit=3) == ([(0, 1), (1, 2), (2, 3)], True)
    assert search.find("a", limit=5) == ([(i, i + 1) for i in range(5)], False)


def test_emoji_and_marks_stand_for_themselves() -> None:
    text = "a 👍 b; e\u0301 is é"
    assert found(text, "👍") == ["👍"]
    assert fold("é") == "e" and fold("ß") == "ß" and fold("Σ") == "σ"


def test_a_book_agrees_with_a_plain_case_insensitive_search_where_that_works() -> None:
    text = WAR_AND_PEACE.read_text(encoding="utf-8")
    search = TextSearch(text)
    for query in ("moscow", "borodino", "the", "Rostóv", "natásha"):
        spans, more = search.find(query)
        expected = [m.span() for m in re.finditer(re.escape(query), text, re.IGNORECASE)]
        assert not more
        assert set(expected) <= set(spans), query  # accents only ever add matches
    spans, _ = search.find("natasha")
    assert len(spans) > 1000 and text[spans[0][0] : spans[0][1]].lower() == "natásha"
