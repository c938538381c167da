"""Anchors made by the Hypothesis client on real pages, resolved by margin.

The fixtures (corpus/annotations/hypothesis/client-html-baselines) pair an HTML page with the
API rows of annotations made on it. Hypothesis anchors against the DOM's textContent of
document.body; the browser's parser also moves the newline after </body> into the body, which
lxml keeps as the body's tail. Each row's TextQuoteSelector (exact, 32 characters of prefix
and suffix) and TextPositionSelector (start, end) become a margin Anchor.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import pytest

from tui.anchoring import resolve
from tui.model import Anchor

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
BASELINES = SHARED / "corpus" / "annotations" / "hypothesis" / "client-html-baselines"
PAGES = sorted(path.stem for path in BASELINES.glob("*.json"))


@dataclass(frozen=True)
class Row:
    """One Hypothesis annotation: its selectors, and where the quote with its context stands."""

    page: str
    anchor: Anchor
    found: int  # start of exact in the text where prefix + exact + suffix occur, or -1


def page_text(html: bytes) -> str:
    """The page's text as Hypothesis sees it: document.body.textContent."""
    body = lxml.html.document_fromstring(html).body
    return body.text_content() + (body.tail or "")


def load_rows(page: str) -> tuple[str, list[Row]]:
    """The text of `page` and its annotation rows."""
    text = page_text((BASELINES / f"{page}.html").read_bytes())
    rows = []
    for item in json.loads((BASELINES / f"{page}.json").read_text(encoding="utf-8"))["rows"]:
        selectors = {s["type"]: s for target in item["target"] for s in target["selector"]}
        quote = selectors["TextQuoteSelector"]
        position = selectors["TextPositionSelector"]
        anchor = Anchor(
            start=position["start"],
            end=position["end"],
            exact=quote["exact"],
            prefix=quote.get("prefix", ""),
            suffix=quote.get("suffix", ""),
            text_sha256="",
        )
        whole = text.find(anchor.prefix + anchor.exact + anchor.suffix)
        found = whole + len(anchor.prefix) if whole >= 0 else -1
        rows.append(Row(page, anchor, found))
    return text, rows


ROWS = [(page, i) for page in PAGES for i in range(len(load_rows(page)[1]))]


def test_fixtures_are_read_as_hypothesis_saw_them() -> None:
    # Every quote stands in the text with its context, and most positions agree: the text was
    # built the way the client builds it. (One Wikipedia row was made on a page whose footer
    # held 156 more characters than the saved HTML; its quote and context still match.)
    rows = [row for page in PAGES for row in load_rows(page)[1]]
    assert PAGES == ["minimal", "wikipedia-regression-testing"]
    assert len(rows) == 6
    assert all(row.found >= 0 for row in rows)
    at_position = [row.found == row.anchor.start for row in rows]
    assert sum(at_position) == 5


@pytest.mark.parametrize(("page", "index"), ROWS)
def test_resolve_finds_each_quote(page: str, index: int) -> None:
    text, rows = load_rows(page)
    row = rows[index]
    result = resolve(text, row.anchor)
    assert text[result.start : result.end] == row.anchor.exact
    assert result.start == row.found
    expected = "anchored" if row.found == row.anchor.start else "moved"
    assert result.status == expected
    assert result.score >= 0.99  # quote and context intact


@pytest.mark.parametrize(("page", "index"), ROWS)
def test_resolve_after_a_sentence_is_added_at_the_top(page: str, index: int) -> None:
    text, rows = load_rows(page)
    row = rows[index]
    added = "This sentence was added at the top of the page after the annotations were made. "
    result = resolve(added + text, row.anchor)
    assert result.status == "moved", result
    assert result.start == row.found + len(added)
    assert (added + text)[result.start : result.end] == row.anchor.exact


@pytest.mark.parametrize(("page", "index"), ROWS)
def test_resolve_after_a_paragraph_is_added_to_the_html(page: str, index: int) -> None:
    # The same edit made to the page itself: a paragraph at the start of the body.
    html = (BASELINES / f"{page}.html").read_bytes()
    added = b"<p>A paragraph the site added later, with a link to <a href='#'>more news</a>.</p>"
    head, body, rest = html.partition(b"<body")
    close = rest.index(b">") + 1
    edited = page_text(head + body + rest[:close] + added + rest[close:])
    text, rows = load_rows(page)
    shift = len(edited) - len(text)
    assert shift > 0
    row = rows[index]
    result = resolve(edited, row.anchor)
    assert result.status == "moved", result
    assert result.start == row.found + shift
    assert edited[result.start : result.end] == row.anchor.exact
