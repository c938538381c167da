"""Markdown export: layout, order, locations, Obsidian tags, and text that stays text."""

from __future__ import annotations

import json
import random
import re
import time
import unicodedata
import uuid
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tui.export import FORMATS, SUFFIXES, export, to_csv, to_markdown, to_w3c_json
from tui.export.markdown import obsidian_tag
from tui.model import Annotation, Document
from tui.textsafe import visible

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
SAMPLE = SHARED / "samples" / "fp-kazakhstan-trial.txt"
FORMATS_DOC = Path(__file__).resolve().parents[2] / "docs" / "formats.md"

# CommonMark plus the GFM table and strikethrough rules, so `|` and `~~` are checked too.
MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])

HOSTILE = [
    "[bold]x[/] and [link](http://example.com) and ![img](x.png) and [[Wiki]] and [^1]",
    "<script>alert(1)</script> and <b>bold</b> and <!-- comment --> and <http://auto.link>",
    "# not a heading\n## nor this\n#hashtag in text",
    "1. not a list\n2) nor this\n2024. A year\n- dash\n+ plus\n* star\n> not a quote\n>> nor this",
    "*em* **strong** _under_ __strong__ ***both*** snake_case_word 2*3*4",
    "`code` and ``double `tick` code``\n```python\nprint(1)\n```\n~~~\nfence\n~~~",
    "Setext heading\n===\nAnother\n---\n* * *\n___",
    "    indented code\n\tindented by tab\n  - nested\n      - list",
    "a | b\n--- | ---\n1 | 2\n~~strike~~ and ~single~",
    "&copy; &#169; &#xA9; &amp; and a lone & stays",
    "back\\slash \\*not emphasis\\* and trailing backslash\\\nnext line",
    "two trailing spaces  \nnext line",
    "$E = mc^2$ and ==highlight== and %%comment%% and 100% sure",
    "family 👨\u200d👩\u200d👧 and flag 🏳️\u200d🌈 and skin 👍🏽",
    "עברית RTL text ومرحبا بالعالم mixed with English",
    "ESC \x1b[31mred\x1b[0m, NUL \x00, BEL \x07, C1 \x85 and bidi \u202eoverride\u202c",
    "\n\nleading blank lines\n\n\n\nmiddle\n\n\ntrailing\n\n",
    "<div>\nan html block\n</div>",
    "[x]: http://reference.example/definition",
]


def inline_text(token) -> str:
    """The plain text an inline token renders to; any markup (a link, emphasis...) fails."""
    parts = []
    for child in token.children:
        if child.type in ("text", "text_special"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append("\n")
        else:
            raise AssertionError(f"{child.type} made from {token.content!r}")
    return "".join(parts)


def blocks(markdown: str) -> list[tuple[str, str]]:
    """Top-level blocks as (kind, plain text); kind is h1..h6, "p" or "quote".

    Any other block (list, code, HTML, table, rule, nested quote) fails the test.
    """
    tokens = MD.parse(markdown)
    out: list[tuple[str, str]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "heading_open":
            out.append((token.tag, inline_text(tokens[i + 1])))
            i += 3
        elif token.type == "paragraph_open":
            out.append(("p", inline_text(tokens[i + 1])))
            i += 3
        elif token.type == "blockquote_open":
            i += 1
            paragraphs = []
            while tokens[i].type != "blockquote_close":
                assert tokens[i].type == "paragraph_open", f"{tokens[i].type} in a block quote"
                paragraphs.append(inline_text(tokens[i + 1]))
                i += 3
            out.append(("quote", "\n\n".join(paragraphs)))
            i += 1
        else:
            raise AssertionError(f"unexpected {token.type}: {token.content!r}")
    return out


def shown(text: str) -> list[str]:
    """How Markdown should show `text`: paragraphs of its non-blank lines, controls made visible.

    Spaces and tabs around a line are not shown by Markdown anyway, so they are not expected.
    """
    paragraphs, current = [], []
    for line in text.split("\n"):
        line = visible(line).strip(" \t")
        if line.strip():
            current.append(line)
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    if current:
        paragraphs.append("\n".join(current))
    return paragraphs


def unescaped(line: str, chars: str) -> list[str]:
    """Characters of `chars` in a raw Markdown line that no backslash escapes."""
    found, i = [], 0
    while i < len(line):
        if line[i] == "\\":
            i += 2
            continue
        if line[i] in chars:
            found.append(line[i])
        i += 1
    return found


def make_ann(
    text: str,
    start: int,
    end: int,
    n: int = 1,
    *,
    status: str = "anchored",
    exact: str | None = None,
    **fields,
) -> Annotation:
    return Annotation(
        id=n,
        uuid=str(uuid.UUID(int=n)),
        document_id=1,
        start=start,
        end=end,
        exact=text[start:end] if exact is None else exact,
        status=status,
        **fields,
    )


def annotate(text: str, quote: str, n: int = 1, **fields) -> Annotation:
    start = text.index(quote)
    return make_ann(text, start, start + len(quote), n, **fields)


def test_registry():
    assert FORMATS["md"] is to_markdown and SUFFIXES["md"] == ".md"
    assert set(FORMATS) == set(SUFFIXES) == {"md", "json", "csv"}
    with pytest.raises(ValueError, match="known formats: csv, json, md"):
        export("docx", [])


def test_no_items_is_empty_and_generated_comes_first():
    assert to_markdown([]) == ""
    doc = Document(text="Some text.", title="T", id=1)
    out = to_markdown([(doc, [])], generated="2024-05-01T12:00:00Z")
    assert out.splitlines()[0] == "Exported from margin on 2024-05-01T12:00:00Z."
    assert "0 annotations." in out
    assert to_markdown([(doc, [])]).startswith("# T\n")


@pytest.mark.parametrize("hostile", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_quote_and_note_render_as_their_text(hostile):
    text = f"Before.\n{hostile}\nAfter."
    ann = annotate(text, hostile, note=f"My note on it:\n{hostile}")
    doc = Document(text=text, title=f"Title {hostile}", id=1)
    out = to_markdown([(doc, [ann])])
    got = blocks(out)
    assert got[0] == ("h1", shown(" ".join(f"Title {hostile}".split()))[0])
    assert got[1] == ("p", "1 annotation.")
    assert got[2][0] == "h2" and re.match(r"Lines? 2(–\d+)?, \d+% · yellow$", got[2][1])
    assert got[3] == ("quote", "\n\n".join(shown(hostile)))
    assert got[4:] == [("p", para) for para in shown(ann.note)]
    # Obsidian reads `#word`, `$math$`, `==mark==` and `%%comment%%` where CommonMark does not.
    for line in out.splitlines()[3:]:
        assert not unescaped(line, "#$") or line.startswith("#"), line
        assert "==" not in line.replace("\\=", "") and "%%" not in line.replace("\\%", "")


def test_multi_line_quote_prefixes_every_line():
    text = "Title line\n\nfirst line\nsecond line\n\n\nthird paragraph\nend"
    start = text.index("first")
    ann = make_ann(text, start, len(text))
    out = to_markdown([(Document(text=text, title="T", id=1), [ann])])
    quote = [line for line in out.splitlines() if line.startswith(">")]
    assert quote == ["> first line", "> second line", ">", "> third paragraph", "> end"]


def test_locations_are_line_and_percent_of_the_text():
    rng = random.Random(7)
    lines = [f"line {i} " + "word " * rng.randrange(0, 12) for i in range(300)]
    text = "\n".join(lines)
    anns = []
    for n in range(40):
        start = rng.randrange(0, len(text) - 50)
        anns.append(make_ann(text, start, min(len(text), start + rng.randrange(1, 200)), n))
    out = to_markdown([(Document(text=text, title="T", id=1), anns)])
    headings = [line for line in out.splitlines() if line.startswith("## ")]
    expected = []
    for ann in sorted(anns, key=lambda a: (a.start, a.end)):
        first = text.count("\n", 0, ann.start) + 1
        last = text.count("\n", 0, ann.end - 1) + 1
        where = f"Line {first}" if first == last else f"Lines {first}–{last}"
        expected.append(f"## {where}, {ann.start * 100 // len(text)}% · yellow")
    assert headings == expected


def test_document_order_then_end_then_created_whatever_the_input_order():
    text = "".join(f"w{i:02d} " for i in range(40))
    spans = [(40, 50, "b"), (8, 30, "a"), (8, 20, "a"), (8, 20, "c"), (0, 4, "z")]
    anns = [
        make_ann(text, s, e, n, created=f"2024-01-01T00:00:0{ord(c) % 10}Z", note=f"note {n}")
        for n, (s, e, c) in enumerate(spans)
    ]
    doc = Document(text=text, title="T", id=1)
    out = to_markdown([(doc, anns)])
    order = [int(m) for m in re.findall(r"^note (\d)$", out, flags=re.M)]
    by_hand = sorted(range(len(spans)), key=lambda n: (spans[n][0], spans[n][1], anns[n].created))
    assert order == by_hand
    for seed in range(5):
        shuffled = anns[:]
        random.Random(seed).shuffle(shuffled)
        assert to_markdown([(doc, shuffled)]) == out


def test_unplaced_are_listed_last_with_status_and_their_original_quote():
    text = "The quick brown fox jumps over the lazy dog. " * 3
    fixed = annotate(text, "lazy dog", 1, status="moved", exact="lazzy dog")
    lost = make_ann(text, 0, 9, 2, status="orphan", exact="a vanished sentence")
    review = make_ann(text, 4, 9, 3, status="needs-review", exact="quick-ish")
    twice = make_ann(text, 10, 13, 4, status="ambiguous", exact="brown twice")
    doc = Document(text=text, title="T", id=1)
    got = blocks(to_markdown([(doc, [lost, review, fixed, twice])]))
    kinds = [kind for kind, _ in got]
    unplaced_at = got.index(("h2", "Unplaced annotations"))
    # The placed one shows the text as it stands now, not the quote as made.
    assert got[3] == ("quote", "lazy dog")
    assert kinds.count("h2") == 2 and unplaced_at == 4
    section = got[unplaced_at:]
    headings = [t for k, t in section if k == "h3"]
    quotes = [t for k, t in section if k == "quote"]
    assert headings == ["Orphan", "Needs review", "Ambiguous"]  # by old start: 0, 4, 10
    assert quotes == ["a vanished sentence", "quick-ish", "brown twice"]
    assert ("p", "4 annotations (3 unplaced).") in got


def test_out_of_range_span_is_treated_as_unplaced():
    text = "short text"
    ann = make_ann(text, 5, 500, exact="short text and more")
    got = blocks(to_markdown([(Document(text=text, title="T", id=1), [ann])]))
    assert got[2:] == [
        ("h2", "Unplaced annotations"),
        ("p", "These passages were not found in the current text; each is quoted as it was made."),
        ("h3", "Unplaced (anchored)"),
        ("quote", "short text and more"),
    ]


def test_several_documents_keep_their_order_and_sections():
    docs = [Document(text=f"Text of {name}.", title=name, id=i) for i, name in enumerate("ZAM")]
    items = [(d, [annotate(d.text, "Text", 1)]) for d in docs]
    titles = [text for kind, text in blocks(to_markdown(items)) if kind == "h1"]
    assert titles == ["Z", "A", "M"]


def test_header_shows_source_and_metadata_as_text():
    doc = Document(
        text="Body.",
        title="A *title* with [brackets]",
        source="/home/me/My_Notes/a b.txt",
        id=1,
        metadata={
            "zeta": "last",
            "author": "[x](javascript:alert(1))",
            "date": "2024-03-01",
            "url": "/home/me/My_Notes/a b.txt",  # the same as the source: not repeated
            "empty": "  ",
        },
    )
    got = blocks(to_markdown([(doc, [])]))
    assert got[:4] == [
        ("h1", "A *title* with [brackets]"),
        ("p", "Source: /home/me/My_Notes/a b.txt"),
        ("p", "Author: [x](javascript:alert(1)) · Date: 2024-03-01 · Zeta: last"),
        ("p", "0 annotations."),
    ]
    url = Document(text="x", title="", source="https://example.com/a?b=1&c=_d_", id=2)
    out = to_markdown([(url, [])])
    assert "# Untitled\n" in out and "Source: <https://example.com/a?b=1&c=_d_>\n" in out
    assert "Source: standard input" in to_markdown([(Document("x", "T", source="-"), [])])


@pytest.mark.parametrize(
    ("name", "tag"),
    [
        ("big idea", "big-idea"),
        ("  spaces   around ", "spaces-around"),
        ("a -- b", "a-b"),
        ("a-_b", "a-b"),
        ("snake_case", "snake_case"),
        ("theme/sub", "theme/sub"),
        ("theme//sub/", "theme/sub"),
        ("#already", "already"),
        ("1984", "tag-1984"),
        ("2024-05", "tag-2024-05"),
        ("théorie critique", "théorie-critique"),
        ("e\u0301te\u0301", "été"),
        ("日本語 タグ", "日本語-タグ"),
        ("Q&A, FAQ!", "Q-A-FAQ"),
    ],
)
def test_obsidian_tag(name, tag):
    assert obsidian_tag(name) == tag


@pytest.mark.parametrize("name", ["🙂", "!!!", "", "👨\u200d👩\u200d👧", "[]", "*", "-_-"])
def test_obsidian_tag_without_usable_characters_is_stable_and_distinct(name):
    tag = obsidian_tag(name)
    assert tag.startswith("tag-") and tag == obsidian_tag(name)
    others = {obsidian_tag(o) for o in ["🙂", "!!!", "", "👨\u200d👩\u200d👧", "[]", "*", "-_-"]}
    assert len(others) == 7


@pytest.mark.parametrize(
    "name", ["big idea", "1984", "🙂", "a__b", "x/ /y", "Ölçü", "ॐ नमः", "_x_"]
)
def test_obsidian_tags_use_only_allowed_characters(name):
    tag = obsidian_tag(name)
    assert all(unicodedata.category(c)[0] in "LNM" or c in "_-/" for c in tag)
    assert any(unicodedata.category(c)[0] == "L" for c in tag)
    assert tag[0] not in "_-/" and tag[-1] not in "_-/"
    assert not re.search(r"[-_/]{2}", tag)


def test_tag_line_is_plain_text_with_duplicates_collapsed():
    text = "some passage here"
    ann = annotate(text, "passage", tags=["a-_b", "c_-d", "_x_", "**y**", "[z]", "a _b", "1984"])
    got = blocks(to_markdown([(Document(text=text, title="T", id=1), [ann])]))
    assert got[4] == ("p", "#a-b #c-d #x #y #z #tag-1984")


def test_empty_passage_and_empty_note():
    text = "abc"
    ann = make_ann(text, 1, 1, note="   \n\n  ")
    got = blocks(to_markdown([(Document(text=text, title="T", id=1), [ann])]))
    assert got[2:] == [("h2", "Line 1, 33% · yellow"), ("quote", "")]


def test_reference_article():
    text = SAMPLE.read_text(encoding="utf-8")
    caption = "Members of the media gather in front of a screen"
    second = text.index(caption, text.index(caption) + 1)
    paragraph_end = text.index("\n\n", text.index("Over the past month"))
    anns = [
        make_ann(text, second, text.index("\n", second), 1, tags=["caption", "repeated"]),
        make_ann(text, text.index("Over the past month"), paragraph_end + 40, 2, note="Two paras"),
        annotate(text, "Perhaps most importantly", 3, tags=["accountability"], color="green"),
    ]
    doc = Document(text=text, title=text.split("\n", 1)[0], source=str(SAMPLE), id=1)
    out = to_markdown([(doc, anns)])
    got = blocks(out)
    quotes = [t for k, t in got if k == "quote"]
    in_order = sorted(anns, key=lambda a: a.start)
    assert quotes == ["\n\n".join(shown(text[a.start : a.end])) for a in in_order]
    lines = [t for k, t in got if k == "h2"]
    assert lines[0].startswith(f"Line {text.count(chr(10), 0, second) + 1}, ")
    assert "#caption #repeated" in out and "#accountability" in out
    assert got[0] == ("h1", "How a Domestic Violence Trial Ended Kazakhstan’s Political Nihilism")


def test_examples_in_the_format_docs_are_real_output():
    """docs/formats.md shows what the exporters write for this data; keep the two in step."""
    text = (
        "The jury trial was broadcast live.\n\n"
        "Perhaps most importantly, the verdict suggested that the law can bring justice.\n"
    )
    doc = Document(
        text=text,
        title="Trial",
        source="/home/ana/articles/trial.txt",
        id=7,
        metadata={"author": "A. Writer", "date": "2024-05-01"},
    )
    start = text.index("Perhaps most importantly")
    anns = [
        Annotation(
            12,
            "3f1c2a0e-5b7d-4e8f-9a6b-1c2d3e4f5a6b",
            7,
            start,
            start + 24,
            "Perhaps most importantly",
            note="The key claim.",
            tags=["accountability", "law"],
            created="2024-05-01 10:00:00",
            updated="2024-05-02 08:15:00",
            color="green",
        ),
        Annotation(
            13,
            "9e8d7c6b-5a49-4382-b1a0-f9e8d7c6b5a4",
            7,
            0,
            14,
            "The jury trail",
            suffix=" was broadcast live.",
            status="orphan",
            created="2024-05-01 10:05:00",
        ),
    ]
    docs = FORMATS_DOC.read_text(encoding="utf-8")
    fenced = dict(re.findall(r"```(markdown|json|text)\n(.*?)```", docs, flags=re.S))
    assert fenced["markdown"] == to_markdown([(doc, anns)])
    assert json.loads(fenced["json"]) == json.loads(to_w3c_json([(doc, anns)]))
    assert fenced["text"].replace("\n", "\r\n") == to_csv([(doc, anns)])


def synthetic(documents: int, per_document: int) -> list[tuple[Document, list[Annotation]]]:
    """Documents of 200 lines with annotations at random places, one in ten unplaced."""
    rng = random.Random(3)
    line = "Lorem ipsum dolor sit amet, *consectetur* adipiscing elit, sed do [eiusmod] tempor.\n"
    items = []
    for d in range(documents):
        text = line * 200
        anns = []
        for n in range(per_document):
            start = rng.randrange(0, len(text) - 200)
            ann = make_ann(
                text,
                start,
                start + rng.randrange(5, 180),
                n,
                status="orphan" if n % 10 == 0 else "anchored",
                tags=["theme one", "code/sub"] if n % 3 else [],
                note="A note\nover two lines" if n % 2 else "",
                created="2024-05-01 12:00:00",
            )
            anns.append(ann)
        items.append((Document(text=text, title=f"Document {d}", id=d + 1), anns))
    return items


def test_speed_of_a_large_export_is_printed(capsys):
    items = synthetic(1000, 100)
    started = time.perf_counter()
    out = to_markdown(items)
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nmarkdown export of 100,000 annotations in 1,000 documents: {elapsed:.2f} s")
    assert out.count("\n## Line") == 90_000
    assert out.count("\n## Unplaced annotations\n") == 1000
