"""Loading files and bytes: formats, titles, structure, errors and hostile input."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tui.document import (
    SUPPORTED_SUFFIXES,
    DocumentError,
    document_problems,
    format_for_name,
    load_bytes,
    load_path,
    sniff_format,
)
from tui.model import Document


def load_text(source: str, name: str = "doc.txt", **kwargs: object) -> Document:
    return load_bytes(source.encode("utf-8"), name=name, **kwargs).document  # type: ignore[arg-type]


def block_texts(doc: Document, kind: str | None = None) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks if kind is None or b.kind == kind]


def mark_texts(doc: Document, kind: str) -> list[str]:
    return [doc.text[m.start : m.end] for m in doc.marks if m.kind == kind]


def assert_valid(doc: Document) -> None:
    assert document_problems(doc) == []


# --- files, suffixes, errors -------------------------------------------------------------


def test_supported_suffixes() -> None:
    for suffix in (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml"):
        assert suffix in SUPPORTED_SUFFIXES
    assert all(s.startswith(".") and s == s.lower() for s in SUPPORTED_SUFFIXES)
    assert format_for_name("A.MD") == "markdown"
    assert format_for_name("page.HTM") == "html"
    assert format_for_name("notes.txt") == "text"
    assert format_for_name("data.csv") is None


def test_load_path_fills_the_document(tmp_path: Path) -> None:
    path = tmp_path / "my notes.txt"
    path.write_text("A title line\n\nThe body. It has two sentences.\n", encoding="utf-8")
    result = load_path(path)
    doc = result.document
    assert doc.id is None
    assert doc.source == str(path.resolve())
    assert Path(doc.source).is_absolute()
    assert doc.format == "text"
    assert doc.metadata == {"encoding": "utf-8"}
    assert doc.title == "A title line"
    assert result.removed == []
    assert_valid(doc)


def test_relative_path_source_is_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.md").write_text("# Head\n\nBody.\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    doc = load_path(Path("a.md")).document
    assert doc.source == str(tmp_path / "a.md")
    assert doc.format == "markdown"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t\r\n  \n", "whitespace"),
        (b"text\x00with nul", "NUL"),
        (b"%PDF-1.4\n...", "PDF"),
    ],
)
def test_unreadable_files_are_refused_with_a_one_line_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(DocumentError) as caught:
        load_path(path)
    message = str(caught.value)
    assert reason in message
    assert "\n" not in message


def test_missing_file_and_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="no such file"):
        load_path(tmp_path / "nope.txt")
    with pytest.raises(DocumentError, match="folder"):
        load_path(tmp_path)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(DocumentError, match="unknown format"):
        load_bytes(b"x", name="x", fmt="pdf")


def test_format_aliases() -> None:
    assert load_bytes(b"# Hi", name="-", fmt="md").document.format == "markdown"
    assert load_bytes(b"<p>Hi there</p>", name="-", fmt="htm").document.format == "html"


def test_stdin_bytes() -> None:
    doc = load_bytes(b"just some words, no title here,\nreally", name="-", source="-").document
    assert doc.source == "-"
    assert doc.title == "Untitled"
    assert doc.format == "text"


@pytest.mark.parametrize(
    ("text", "fmt"),
    [
        ("<!DOCTYPE html><html><body><p>Hello</p></body></html>", "html"),
        ("<!-- saved --> <html lang=en><p>x</p></html>", "html"),
        ("# Heading\n\nSome *text*.", "markdown"),
        ("Intro\n\n```\ncode\n```\n\nSee [a](http://a) and [b](http://b).", "markdown"),
        ("Just prose. With #hashtags and a price of 5*3.", "text"),
        ("Use <b>bold</b> sparingly.", "text"),
    ],
)
def test_sniff_format(text: str, fmt: str) -> None:
    assert sniff_format(text) == fmt
    assert load_text(text, name="-").format == fmt


# --- titles ------------------------------------------------------------------------------


def test_title_argument_wins() -> None:
    doc = load_text("# Markdown Title\n\nBody.", name="x.md", title="  Given\n Title ")
    assert doc.title == "Given Title"


def test_title_falls_back_to_the_file_stem() -> None:
    long_line = "word " * 40
    assert load_text(long_line + "\nmore\n", name="my-file.txt").title == "my-file"


def test_title_from_markdown_first_heading_and_front_matter() -> None:
    assert load_text("Intro.\n\n## Second\n\n# First\n", name="a.md").title == "Second"
    doc = load_text('---\ntitle: "Front Title"\nauthor: Ann\n---\n# Other\n', name="a.md")
    assert doc.title == "Front Title"
    assert doc.metadata["author"] == "Ann"
    assert "title:" not in doc.text


def test_title_from_plain_text() -> None:
    assert load_text("Short Title\n\nBody text here.").title == "Short Title"
    two_lines = load_text("Leo Tolstoy\nWar and Peace\n\nWell, Prince.")
    assert two_lines.title == "Leo Tolstoy — War and Peace"
    assert two_lines.blocks[0].kind == "heading"


def test_title_from_html(tmp_path: Path) -> None:
    page = "<html><head><title>Page Title | Site</title></head><body><p>Hi there.</p></body></html>"
    # trafilatura trims the site name off the page title.
    assert load_text(page, name="p.html").title == "Page Title"


# --- plain text --------------------------------------------------------------------------


def test_plain_text_is_verbatim_and_blocks_are_runs_of_lines() -> None:
    source = "Title\n\nFirst para line one\nline two  \n\n\n   Indented para.\n\t\n Last"
    doc = load_text(source)
    assert doc.text == source
    assert block_texts(doc) == [
        "Title",
        "First para line one\nline two  ",
        "   Indented para.",
        " Last",
    ]
    assert_valid(doc)


@pytest.mark.parametrize(
    "line",
    [
        "CHAPTER IV",
        "Chapter 12",
        "BOOK ONE: 1805",
        "Part 2",
        "PART II. The Return",
        "FIRST EPILOGUE: 1813 - 20",
        "Глава первая",
        "ЧАСТЬ ПЕРВАЯ.",
        "   * ЧАСТЬ ВТОРАЯ. *",
        "XIV",
        "IV.",
        "PREFACE",
        "Epilogue",
    ],
)
def test_plain_text_headings(line: str) -> None:
    doc = load_text(f"Some opening prose, which is not a title,\nat all.\n\n{line}\n\nBody text.")
    headings = block_texts(doc, "heading")
    assert headings == [line]


@pytest.mark.parametrize(
    "line",
    [
        "Chapter and verse were quoted.",
        "Part of the problem is this.",
        "Book 3 was the best of them.",
        "chapter 4",
        "I went home.",
        "Yes.",
        "The End",
        "MIX",
        "DC",
        "Volume",
        "Chapter 3, in which nothing happens, is long, very long, and ends here,",
    ],
)
def test_plain_text_ordinary_short_lines_are_not_headings(line: str) -> None:
    doc = load_text(f"Some opening prose, which is not a title,\nat all.\n\n{line}\n\nBody text.")
    assert block_texts(doc, "heading") == []


def test_plain_text_heading_levels_follow_the_book() -> None:
    source = (
        "opening words, lower case,\nand more.\n\n"
        "BOOK ONE: 1805\n\nCHAPTER I\n\nText.\n\nCHAPTER II\n\nText.\n\n"
        "BOOK TWO: 1806\n\nCHAPTER I\n\nText."
    )
    doc = load_text(source)
    headings = [(doc.text[b.start : b.end], b.level) for b in doc.blocks if b.kind == "heading"]
    assert headings == [
        ("BOOK ONE: 1805", 1),
        ("CHAPTER I", 2),
        ("CHAPTER II", 2),
        ("BOOK TWO: 1806", 1),
        ("CHAPTER I", 2),
    ]


def test_plain_text_table_of_contents_is_not_an_outline() -> None:
    contents = "\n\n".join(f"    CHAPTER {n}" for n in ("I", "II", "III", "IV", "V"))
    source = (
        f"opening words, lower case,\nand more.\n\n    CONTENTS\n\n{contents}\n\n"
        "CHAPTER I\n\nIt begins.\n\nCHAPTER II\n\nIt goes on."
    )
    doc = load_text(source)
    assert block_texts(doc, "heading") == ["CHAPTER I", "CHAPTER II"]


def test_plain_text_two_line_heading_with_subtitle() -> None:
    doc = load_text("prose first,\nreally.\n\nCHAPTER I.\nDown the Rabbit-Hole\n\nAlice was.")
    assert block_texts(doc, "heading") == ["CHAPTER I.\nDown the Rabbit-Hole"]


def test_plain_text_rules() -> None:
    doc = load_text("one,\ntwo\n\n* * *\n\nthree\n\n-----\n\n***")
    assert block_texts(doc, "rule") == ["* * *", "-----", "***"]


def test_plain_text_gutenberg_title() -> None:
    source = (
        "The Project Gutenberg EBook of Things, by Someone\n\n"
        "This eBook is for the use of anyone.\n\nTitle: Things Fall\n\nAuthor: Someone\n"
    )
    assert load_text(source).title == "Things Fall"


def test_a_one_megabyte_single_line_loads_fast() -> None:
    line = ("lorem ipsum dolor sit amet " * 40000)[:1_000_000]
    started = time.perf_counter()
    doc = load_text(line)
    elapsed = time.perf_counter() - started
    print(f"\n1 MB single line loaded in {elapsed:.3f} s")
    assert doc.text == line
    assert len(doc.blocks) == 1
    assert_valid(doc)


# --- hostile input -----------------------------------------------------------------------

HOSTILE = [
    "[bold]x[/] and [@click=app.quit]quit[/] and [red on blue]colour[/red on blue]",
    "escape \x1b[31mred\x1b[0m and \x1b]8;;http://evil\x07link\x1b]8;;\x07 done",
    "tabs\there\tand\tthere",
    "family 👩‍👩‍👧‍👦 and flag 🇳🇿 and skin 👍🏽 emoji",
    "עברית מימין לשמאל and العربية mixed with English",
    "bidi \u202eoverride\u202c and \u2066isolate\u2069 and C1 \x85\x9b",
    "zero\u200bwidth and \ufeffBOM inside and NBSP\u00a0here",
    "markdown-ish *not emphasis* and `not code` in a text file",
]


@pytest.mark.parametrize("line", HOSTILE)
@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_hostile_text_is_kept_with_consistent_offsets(line: str, fmt: str) -> None:
    source = f"Heading line\n\n{line}\n\nAfter. The end."
    doc = load_bytes(source.encode(), name="x", fmt=fmt).document
    assert_valid(doc)
    if fmt == "text":
        assert doc.text == source
        assert line in block_texts(doc)
    else:
        for token in ("[bold]", "[/]", "[@click=app.quit]", "\x1b[31m", "\u202e", "👩‍👩‍👧‍👦"):
            if token in line:
                assert token in doc.text
    for start, end in doc.sentences:
        assert doc.text[start:end].strip() == doc.text[start:end]


def test_crlf_and_cr_become_newlines_and_offsets_follow() -> None:
    doc = load_bytes(b"Title\r\n\r\nOne.\r\nTwo.\rThree.\r\n", name="x.txt").document
    assert doc.text == "Title\n\nOne.\nTwo.\nThree.\n"
    assert block_texts(doc) == ["Title", "One.\nTwo.\nThree."]
    assert [doc.text[a:b] for a, b in doc.sentences] == ["Title", "One.", "Two.", "Three."]


def test_combining_marks_are_composed() -> None:
    doc = load_text("cafe\u0301 and Ame\u0301lie\n\nnai\u0308ve")
    assert doc.text == "café and Amélie\n\nnaïve"
    assert block_texts(doc) == ["café and Amélie", "naïve"]


def test_markdown_emphasis_between_base_and_combining_mark_stays_consistent() -> None:
    doc = load_text("e*\u0301*x and *a*\u0300 end", name="x.md")
    assert doc.text == "éx and à end"
    assert_valid(doc)
    assert mark_texts(doc, "emphasis") == ["é", "à"]


# --- Markdown ----------------------------------------------------------------------------

MARKDOWN = """\
# The *Title*

Intro with **strong**, _emphasis_, `code`, a [link](https://example.com/a "t"),
and a soft break.\\
Hard break before this.

![Alt text of image](img.png)

1. first
2. second
   - nested bullet
3) third

> Quoted *words*.
>
> > Deeper.

```python
def f():
    return "**not bold**"
```

| Name | Value |
|------|------:|
| a    | 1     |
| b    | `2`   |

<p align="center"><img src="logo.png"></p>

<div>Raw <b>HTML</b> text</div>

<details><summary>Summary line</summary>Hidden body</details>

~~gone~~ kept

---

[![Badge](b.svg)](https://ci.example/) trailing
"""


@pytest.fixture(scope="module")
def md_doc() -> Document:
    return load_text(MARKDOWN, name="readme.md")


def test_markdown_text_has_no_syntax(md_doc: Document) -> None:
    prose = "\n".join(block_texts(md_doc, "paragraph") + block_texts(md_doc, "heading"))
    for syntax in ("# ", "**", "](", "`", "![", "~~", "<p", "<img", "<b>"):
        assert syntax not in prose
    assert_valid(md_doc)


def test_markdown_blocks(md_doc: Document) -> None:
    kinds = [(b.kind, b.level, b.info, md_doc.text[b.start : b.end]) for b in md_doc.blocks]
    assert kinds == [
        ("heading", 1, "", "The Title"),
        (
            "paragraph",
            0,
            "",
            "Intro with strong, emphasis, code, a link, and a soft break.\nHard break before this.",
        ),
        ("paragraph", 0, "", "Alt text of image"),
        ("list_item", 1, "1.", "first"),
        ("list_item", 1, "2.", "second"),
        ("list_item", 2, "◦", "nested bullet"),
        ("list_item", 1, "3)", "third"),
        ("quote", 1, "", "Quoted words."),
        ("quote", 2, "", "Deeper."),
        ("code", 0, "python", 'def f():\n    return "**not bold**"'),
        ("paragraph", 0, "table", "Name | Value\na | 1\nb | 2"),
        ("paragraph", 0, "", "Raw HTML text"),
        ("paragraph", 0, "", "Summary line Hidden body"),
        ("paragraph", 0, "", "gone kept"),
        ("rule", 0, "", "* * *"),
        ("paragraph", 0, "", "Badge trailing"),
    ]
    assert md_doc.title == "The Title"


def test_markdown_blocks_are_separated_by_a_blank_line(md_doc: Document) -> None:
    for before, after in zip(md_doc.blocks, md_doc.blocks[1:], strict=False):
        assert md_doc.text[before.end : after.start] == "\n\n"


def test_markdown_marks(md_doc: Document) -> None:
    assert mark_texts(md_doc, "strong") == ["strong", "Name", "Value"]
    assert mark_texts(md_doc, "emphasis") == ["Title", "emphasis", "words"]
    assert mark_texts(md_doc, "code") == ["code", "2"]
    links = [(md_doc.text[m.start : m.end], m.href) for m in md_doc.marks if m.kind == "link"]
    assert links == [("link", "https://example.com/a"), ("Badge", "https://ci.example/")]


def test_markdown_only_tags_html_block_is_dropped(md_doc: Document) -> None:
    assert "logo" not in md_doc.text
    assert "align" not in md_doc.text


def test_markdown_two_space_hard_break() -> None:
    doc = load_text("one  \ntwo\nthree", name="a.md")
    assert doc.text == "one\ntwo three"


def test_markdown_script_in_html_block_is_not_text() -> None:
    doc = load_text(
        "Before.\n\n<div><script>alert(1)</script><style>p{}</style></div>\n", name="a.md"
    )
    assert doc.text == "Before."


# --- HTML --------------------------------------------------------------------------------

ARTICLE = """\
<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Example Article | Example Site</title>
<meta name="author" content="Jane Writer">
<meta property="article:published_time" content="2021-03-04T10:00:00Z">
<meta property="og:site_name" content="Example Site">
<link rel="canonical" href="https://example.org/news/article.html">
</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article>
<h1>The Example Headline</h1>
<p>The first paragraph has <em>emphasis</em>, <strong>strength</strong> and a
<a href="/other">relative link</a>. It goes on for a while so that extractors
believe this is the main text of the page and not some boilerplate navigation.</p>
<h2>A Section</h2>
<p>The second paragraph talks about <code>code_words</code> and more things, again
long enough to count as real content in the eyes of an extraction heuristic.</p>
<ul><li>First point of the list, with some words.</li><li>Second point of the list.</li></ul>
<blockquote><p>A quotation worth keeping, spoken by someone important.</p></blockquote>
<pre><code>line one<br>line two
    indented three</code></pre>
<p>The closing paragraph ends the article with a final thought worth reading twice.</p>
</article>
<footer>Copyright footer text that nobody reads.</footer>
</body></html>
"""


@pytest.fixture(scope="module")
def html_doc() -> Document:
    return load_text(ARTICLE, name="article.html")


def test_html_structure(html_doc: Document) -> None:
    assert_valid(html_doc)
    assert html_doc.format == "html"
    assert block_texts(html_doc, "heading")[:2] == ["The Example Headline", "A Section"]
    assert html_doc.blocks[0].level == 1
    assert block_texts(html_doc, "list_item") == [
        "First point of the list, with some words.",
        "Second point of the list.",
    ]
    assert block_texts(html_doc, "quote") == [
        "A quotation worth keeping, spoken by someone important."
    ]
    assert block_texts(html_doc, "code") == ["line one\nline two\n    indented three"]
    assert html_doc.text.rstrip().endswith("final thought worth reading twice.")
    assert "Copyright footer" not in html_doc.text


def test_html_marks(html_doc: Document) -> None:
    assert "emphasis" in mark_texts(html_doc, "emphasis")
    assert "strength" in mark_texts(html_doc, "strong")
    assert "code_words" in mark_texts(html_doc, "code")
    links = [(html_doc.text[m.start : m.end], m.href) for m in html_doc.marks if m.kind == "link"]
    assert ("relative link", "https://example.org/other") in links


def test_html_metadata(html_doc: Document) -> None:
    meta = html_doc.metadata
    assert meta["encoding"] == "utf-8"
    assert meta["author"] == "Jane Writer"
    assert meta["date"] == "2021-03-04"
    assert meta["site"] == "Example Site"
    assert meta["url"] == "https://example.org/news/article.html"
    assert all(value for value in meta.values())
    assert html_doc.title == "The Example Headline"


def test_html_fragment_falls_back_to_visible_text() -> None:
    doc = load_text("<p>Hi <b>there</b>.</p><script>var x = 1;</script><p>Bye.</p>", name="f.html")
    assert doc.text == "Hi there.\n\nBye."
    assert mark_texts(doc, "strong") == ["there"]
    assert doc.title == "f"


def test_html_without_text_is_refused() -> None:
    with pytest.raises(DocumentError, match="no readable text"):
        load_text("<html><body><script>x()</script><img src=a></body></html>", name="e.html")


def test_html_declared_legacy_charset_is_honoured() -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
        "<title>Новости</title></head><body><p>Привет, мир. Это проверка.</p></body></html>"
    )
    doc = load_bytes(page.encode("cp1251"), name="ru.html").document
    assert doc.metadata["encoding"] == "cp1251"
    assert "Привет, мир." in doc.text
    assert doc.title == "Новости"


def test_html_text_is_data_not_markup() -> None:
    page = "<p>[bold]x[/] &lt;b&gt;not a tag&lt;/b&gt; [@click=app.quit] \x1b[31m</p>"
    doc = load_text(page, name="h.html")
    assert "[bold]x[/]" in doc.text
    assert "<b>not a tag</b>" in doc.text
    assert "[@click=app.quit]" in doc.text
