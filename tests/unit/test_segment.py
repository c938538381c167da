"""Sentence segmentation: abbreviations, initials, decimals, quotes, CJK, Russian, blocks."""

from __future__ import annotations

import pytest

from tui.document import segment_sentences
from tui.model import Block


def sentences(text: str, blocks: list[Block] | None = None) -> list[str]:
    return [text[a:b] for a, b in segment_sentences(text, blocks or [])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith went to Washington. He met Dr. Jones there.",
            ["Mr. Smith went to Washington.", "He met Dr. Jones there."],
        ),
        (
            "J. R. R. Tolkien wrote it. It is long.",
            ["J. R. R. Tolkien wrote it.", "It is long."],
        ),
        ("Pi is 3.14159 or so. Next.", ["Pi is 3.14159 or so.", "Next."]),
        ("It costs $4.50 today. Cheap!", ["It costs $4.50 today.", "Cheap!"]),
        ("Fruit, e.g. apples, i.e. food. Yes.", ["Fruit, e.g. apples, i.e. food.", "Yes."]),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        ("What?! No way.", ["What?!", "No way."]),
        ('"Stop!" he said. "Go." She went.', ['"Stop!" he said.', '"Go."', "She went."]),
        ("“Why?” she asked. Then left.", ["“Why?” she asked.", "Then left."]),
        ("(See Fig. 1 above.) Then more.", ["(See Fig. 1 above.)", "Then more."]),
        ("He waited... and waited. Done.", ["He waited... and waited.", "Done."]),
        ("Wait… What? Nothing.", ["Wait…", "What?", "Nothing."]),
        ("She lives in the U.S. She is happy.", ["She lives in the U.S.", "She is happy."]),
        ("The U.S. Army is big. Yes.", ["The U.S. Army is big.", "Yes."]),
        ("Apples, pears, etc. The end.", ["Apples, pears, etc.", "The end."]),
        ("See vol. 2 and p. 7 now. Ok.", ["See vol. 2 and p. 7 now.", "Ok."]),
        ("1. First item. 2. Second item.", ["1. First item.", "2. Second item."]),
        ("It rained in 1805. The war went on.", ["It rained in 1805.", "The war went on."]),
        ("Version v1.2.3 shipped. Good.", ["Version v1.2.3 shipped.", "Good."]),
        ("Visit example.com. It works.", ["Visit example.com.", "It works."]),
        ("No terminator at all", ["No terminator at all"]),
    ],
)
def test_english(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Привет! — сказал он. — Да. — Нет.",
            ["Привет! — сказал он.", "— Да.", "— Нет."],
        ),
        (
            "А. С. Пушкин родился в Москве. Это было давно.",
            ["А. С. Пушкин родился в Москве.", "Это было давно."],
        ),
        ("-- Как можно? -- сказал князь. Он ушёл.", ["-- Как можно? -- сказал князь.", "Он ушёл."]),
        ("Это, т. е. пример, верно. Да.", ["Это, т. е. пример, верно.", "Да."]),
    ],
)
def test_russian(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_cjk_full_stops_need_no_space() -> None:
    assert sentences("日本語の文です。次の文！最後？はい") == [
        "日本語の文です。",
        "次の文！",
        "最後？",
        "はい",
    ]
    assert sentences("他说：「好。」然后走了。") == ["他说：「好。」", "然后走了。"]


def test_spans_are_trimmed_and_cover_the_words() -> None:
    text = "  One here.   Two there.\n\tThree.  "
    spans = segment_sentences(text, [Block("paragraph", 0, len(text))])
    assert [text[a:b] for a, b in spans] == ["One here.", "Two there.", "Three."]
    for a, b in spans:
        assert not text[a].isspace() and not text[b - 1].isspace()


def test_hard_wrapped_lines_do_not_end_sentences() -> None:
    text = "This sentence is wrapped\nacross two lines. Next one."
    assert sentences(text) == ["This sentence is wrapped\nacross two lines.", "Next one."]


def test_sentences_never_cross_blocks_and_every_block_has_one() -> None:
    text = "First block has no stop\n\nSecond. Block.\n\n## not markdown here\n\nx"
    pieces = text.split("\n\n")
    starts = [text.index(piece) for piece in pieces]
    kinds = ["paragraph", "paragraph", "heading", "paragraph"]
    blocks = [
        Block(kind, start, start + len(piece), 2 if kind == "heading" else 0)  # type: ignore[arg-type]
        for kind, start, piece in zip(kinds, starts, pieces, strict=True)
    ]
    spans = segment_sentences(text, blocks)
    assert [text[a:b] for a, b in spans] == [
        "First block has no stop",
        "Second.",
        "Block.",
        "## not markdown here",
        "x",
    ]
    for block in blocks:
        inside = [s for s in spans if block.start <= s[0] and s[1] <= block.end]
        assert inside, block
    for a, b in spans:
        assert any(blk.start <= a and b <= blk.end for blk in blocks)


def test_code_blocks_and_tables_are_split_by_line() -> None:
    code = "x = 1.  \n\n    y = 2. Not prose.\n"
    table = "A | B\n1. | 2."
    text = code + "\n" + table
    blocks = [
        Block("code", 0, len(code) - 1),
        Block("paragraph", len(code) + 1, len(text), 0, "table"),
    ]
    assert sentences(text, blocks) == ["x = 1.", "y = 2. Not prose.", "A | B", "1. | 2."]


def test_headings_and_rules_are_one_sentence() -> None:
    text = "Chapter 1. The Start\n\n* * *"
    blocks = [Block("heading", 0, 20, 1), Block("rule", 22, 27)]
    assert sentences(text, blocks) == ["Chapter 1. The Start", "* * *"]


def test_sorted_and_disjoint_on_a_messy_paragraph() -> None:
    text = (
        'Dr. No said... "Hi!" (Really?) Ok. U.S. troops came; etc. 3.5 km. '
        "“Done.” — Yes. 終わり。 Mr.  X. ...  ?! . ."
    )
    spans = segment_sentences(text, [])
    assert spans == sorted(spans)
    for (a1, b1), (a2, b2) in zip(spans, spans[1:], strict=False):
        assert a1 < b1 <= a2 < b2
    assert "".join(text[a:b] for a, b in spans).replace(" ", "") == text.replace(" ", "")


def test_empty_and_whitespace_blocks_give_no_sentence() -> None:
    assert segment_sentences("   ", [Block("paragraph", 0, 3)]) == []
    assert segment_sentences("", []) == []


def test_blocks_past_the_text_end_are_clipped() -> None:
    assert segment_sentences("Hi.", [Block("paragraph", 0, 10)]) == [(0, 3)]


def test_a_long_line_is_fast_and_whole() -> None:
    text = "word " * 200_000  # 1 MB, no terminator
    assert segment_sentences(text, []) == [(0, len(text) - 1)]
