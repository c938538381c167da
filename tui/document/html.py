"""HTML pages: the main content found by trafilatura, kept with its structure.

trafilatura's XML output (TEI-like: `head`, `p`, `list`/`item`, `quote`, `code`, `table`,
`hi`, `ref`, `lb`) is walked into blocks and marks. When trafilatura finds nothing (tiny
pages, fragments, odd markup) the visible text of the body is used instead, so a page always
loads as something.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from tui.document.builder import BLOCK_SEPARATOR, Rendered, TextBuilder
from tui.model import Block, Mark, MarkKind

# trafilatura drops <br> inside <pre>, which glues lines of code together: make them newlines.
_PRE = re.compile(r"<pre\b.*?</pre\s*>", re.IGNORECASE | re.DOTALL)
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
# trafilatura also trims whitespace-only text between inline elements, which glues words
# ("Jair</a> <a>Bolsonaro" -> "JairBolsonaro"). Such whitespace is swapped for visible
# stand-ins before extraction and swapped back after.
_INLINE = (
    r"(?:a|b|i|u|s|em|strong|span|code|small|big|sup|sub|abbr|cite|q|mark|time|font|kbd"
    r"|var|samp|dfn|tt|del|ins)"
)
_INLINE_GAP = re.compile(rf"(</{_INLINE}\s*>)([ \t\n]+)(?=<{_INLINE}[\s>/])", re.IGNORECASE)
_STAND_INS = {" ": "\u2420", "\t": "\u2409", "\n": "\u2424"}
_STAND_BACK = str.maketrans({v: k for k, v in _STAND_INS.items()})

_LEAD_CLASSES = (
    r"perex|standfirst|stand-first|dek|lede|bajada|subtitle|sub-title|subheadline"
    r"|article-summary|article-lead|lead|summary-lead|entry-summary"
)
_LEAD = re.compile(
    r"<(?P<tag>p|div|h2|span)\b(?=[^>]*(?:\bclass\s*=\s*[\"'](?:[^\"']*[\s_-])?"
    rf"(?:{_LEAD_CLASSES})(?:[\s_-][^\"']*)?[\"']|\bitemprop\s*=\s*[\"']description[\"']))"
    r"[^>]*>(?P<body>.{1,3000}?)</(?P=tag)\s*>",
    re.IGNORECASE | re.DOTALL,
)
_HI_MARKS: dict[str, MarkKind] = {"#b": "strong", "#i": "emphasis", "#u": "emphasis", "#t": "code"}
_PERMALINK_TEXT = {"#", "\u00b6", "\u00a7", "\U0001f517", "link", "permalink"}
_CONTAINERS = {"main", "doc", "body", "div", "section", "article"}
_BLOCK_TAGS = {"p", "head", "list", "item", "quote", "table", "main", "div", "section", "article"}

# For the fallback: elements whose text is never shown, and those that start a new block.
_INVISIBLE = {
    "script",
    "style",
    "noscript",
    "template",
    "head",
    "svg",
    "math",
    "iframe",
    "object",
    "canvas",
    "select",
    "button",
}
_FALLBACK_BLOCKS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "header",
    "footer",
    "aside",
    "nav",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "form",
    "fieldset",
    "figure",
    "figcaption",
    "address",
    "hr",
    "center",
    "body",
}


def parse_html(source: str, *, url: str | None = None) -> Rendered:
    """Extract the reading text of an HTML page (a normalised string) with its metadata."""
    source = _XML_DECL.sub("", source, count=1)
    rendered = _extract_main(source, url)
    page_title = _page_title(source)
    if rendered is None or not rendered.text.strip():
        rendered = _visible_body_text(source)
    else:
        lead = _missing_lead(source, rendered)
        if lead:
            rendered = _insert_lead(rendered, lead)
    if not rendered.title:
        heading = next((b for b in rendered.blocks if b.kind == "heading" and b.level == 1), None)
        if heading is not None:
            rendered.title = " ".join(rendered.text[heading.start : heading.end].split())
        elif page_title:
            rendered.title = page_title
    return rendered


def _extract_main(source: str, url: str | None) -> Rendered | None:
    import trafilatura

    prepared = _PRE.sub(lambda m: _BR.sub("\n", m.group()), source)
    stand_ins = not any(ch in source for ch in _STAND_INS.values())
    if stand_ins:
        prepared = _INLINE_GAP.sub(
            lambda m: m.group(1) + "".join(_STAND_INS.get(c, c) for c in m.group(2)), prepared
        )
    try:
        xml = trafilatura.extract(
            prepared,
            url=url,
            output_format="xml",
            include_formatting=True,
            include_links=True,
            include_tables=True,
            include_images=False,
            include_comments=False,
            with_metadata=True,
            deduplicate=False,
        )
    except Exception:  # noqa: BLE001 - a third-party parser must not take the import down
        return None
    if not xml:
        return None
    if stand_ins:
        xml = xml.translate(_STAND_BACK)
    try:
        root = etree.fromstring(xml, etree.XMLParser(huge_tree=True, recover=True))
    except etree.XMLSyntaxError:
        return None
    if root is None:
        return None

    metadata: dict[str, str] = {}
    for attribute, key in (
        ("author", "author"),
        ("date", "date"),
        ("sitename", "site"),
        ("url", "url"),
        ("description", "description"),
    ):
        value = " ".join((root.get(attribute) or "").split())
        if value:
            metadata[key] = value
    base = metadata.get("url") or url or ""

    renderer = _TeiRenderer(base)
    main = root.find("main")
    try:
        renderer.container(main if main is not None else root, renderer.paragraph)
    except RecursionError:
        return None  # absurdly deep markup: the flat fallback reads it instead
    text, blocks, marks = renderer.builder.finish()
    title = " ".join((root.get("title") or "").split())
    return Rendered(text, blocks, marks, title, metadata)


@dataclass(slots=True)
class _Context:
    kind: str  # "item" or "quote"
    depth: int
    marker: str = ""


class _TeiRenderer:
    """Walks trafilatura's XML into a `TextBuilder` (blocks are flat; nesting is a depth)."""

    def __init__(self, base_url: str) -> None:
        self.builder = TextBuilder(collapse_whitespace=True)
        self.base_url = base_url
        self.list_depth = 0
        self.quote_depth = 0
        # What a loose paragraph becomes here: an item (depth, marker not yet shown) or a quote.
        self.context: list[_Context] = []

    def paragraph(self) -> None:
        """Open the block that plain text becomes where the walk is now."""
        if self.context:
            here = self.context[-1]
            if here.kind == "item":
                # The first block of a list item carries its marker; later ones continue it.
                self.builder.start_block("list_item", here.depth, here.marker)
                here.marker = ""
                return
            self.builder.start_block("quote", here.depth)
            return
        self.builder.start_block("paragraph")

    def container(self, element: etree._Element, implicit: Callable[[], None]) -> None:
        """Walk an element that holds blocks and loose inline content."""
        self._loose(element.text, implicit)
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in _BLOCK_TAGS or (tag == "code" and self._is_code_block(child, element)):
                self.builder.end_block()
                self.block(child)
                self.builder.end_block()
            elif tag == "lb":
                self.builder.line_break()
            elif tag in ("graphic", "comments", ""):
                pass
            else:
                if not self.builder.in_block:
                    implicit()
                self.inline(child)
            self._loose(child.tail, implicit)

    def block(self, element: etree._Element) -> None:
        """Render one block-level element."""
        tag = element.tag
        b = self.builder
        if tag == "p":
            self.paragraph()
            self.container(element, self.paragraph)
        elif tag == "head":
            rend = element.get("rend") or ""
            level = int(rend[1]) if len(rend) == 2 and rend[1] in "123456" else 2
            b.start_block("heading", level)
            self.container(element, lambda: b.start_block("heading", level))
        elif tag == "list":
            self._list(element)
        elif tag == "item":
            self._item(element, "\u2022")
        elif tag == "quote":
            self.quote_depth += 1
            self.context.append(_Context("quote", self.quote_depth))
            self.paragraph()
            self.container(element, self.paragraph)
            self.context.pop()
            self.quote_depth -= 1
        elif tag == "table":
            self._table(element)
        elif tag == "code":
            b.start_block("code", info=element.get("lang") or "", verbatim=True)
            b.write("".join(element.itertext()))
        else:
            self.container(element, self.paragraph)

    def inline(self, element: etree._Element) -> None:
        """Render an inline element and its content (not its tail)."""
        tag = element.tag if isinstance(element.tag, str) else ""
        b = self.builder
        if tag == "lb":
            b.line_break()
            return
        if tag in ("graphic", ""):
            return
        handle = None
        if tag == "hi":
            kind = _HI_MARKS.get(element.get("rend") or "")
            if kind:
                handle = b.open_mark(kind)
        elif tag == "ref":
            target = element.get("target") or ""
            if target.startswith("#") and "".join(element.itertext()).strip() in _PERMALINK_TEXT:
                return
            href = urljoin(self.base_url, target) if self.base_url else target
            handle = b.open_mark("link", href)
        elif tag == "code":
            handle = b.open_mark("code")
        elif tag in _BLOCK_TAGS or tag in ("row", "cell"):
            b.write(" ")
        if not _is_indentation(element.text):
            b.write(element.text or "")
        for child in element:
            self.inline(child)
            if not _is_indentation(child.tail):
                b.write(child.tail or "")
        if handle is not None:
            b.close_mark(handle)
        elif tag in _BLOCK_TAGS or tag in ("row", "cell"):
            b.write(" ")

    def _list(self, element: etree._Element) -> None:
        ordered = (element.get("rend") or "") == "ol"
        self.list_depth += 1
        number = 0
        bullets = ("\u2022", "\u25e6", "\u25aa")
        for child in element:
            if child.tag == "item":
                number += 1
                marker = f"{number}." if ordered else bullets[(self.list_depth - 1) % 3]
                self.builder.end_block()
                self._item(child, marker)
                self.builder.end_block()
            elif isinstance(child.tag, str) and child.tag not in ("graphic",):
                self.builder.end_block()
                self.block(child)
                self.builder.end_block()
        self.list_depth -= 1

    def _item(self, element: etree._Element, marker: str) -> None:
        self.context.append(_Context("item", max(1, self.list_depth), marker))
        self.container(element, self.paragraph)
        self.context.pop()

    def _table(self, element: etree._Element) -> None:
        b = self.builder
        b.start_block("paragraph", info="table")
        first_row = True
        for row in element:
            if row.tag != "row":
                continue
            if not first_row:
                b.line_break()
            first_row = False
            first_cell = True
            for cell in row:
                if cell.tag != "cell":
                    continue
                if not first_cell:
                    b.write(" | ")
                first_cell = False
                handle = b.open_mark("strong") if cell.get("role") == "head" else None
                self.inline(cell)
                if handle is not None:
                    b.close_mark(handle)

    @staticmethod
    def _is_code_block(element: etree._Element, parent: etree._Element) -> bool:
        return (
            parent.tag in _CONTAINERS
            or parent.tag == "quote"
            or "\n" in ("".join(element.itertext()).strip())
        )

    def _loose(self, text: str | None, implicit: Callable[[], None]) -> None:
        if not text or _is_indentation(text):
            return
        if not self.builder.in_block:
            if not text.strip():
                return
            implicit()
        self.builder.write(text)


def _missing_lead(source: str, rendered: Rendered) -> str:
    """The article's standfirst when the page marks it as one and the extraction left it out.

    News pages mark the lead paragraph under the headline with a class ("perex",
    "standfirst", "dek", "bajada"...) or `itemprop="description"`; extractors often drop it
    as it sits outside the article body. It is only taken when it comes before the first
    extracted paragraph in the page.
    """
    first = next((b for b in rendered.blocks if b.kind != "heading"), None)
    if first is None:
        return ""
    for match in _LEAD.finditer(source, 0, 400000):
        inner = match.group("body")
        if re.search(r"<(?:div|p|section|article|ul|ol|table)\b", inner, re.IGNORECASE):
            continue
        import html as htmllib

        lead = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", inner)).split())
        words = lead.split()
        if not 8 <= len(words) <= 150 or _key(lead) in _key(rendered.text):
            continue
        opening = rendered.text[first.start : first.end].split()[:6]
        pattern = r"\s*(?:<[^>]*>\s*)*".join(re.escape(w) for w in opening)
        body_at = _visible_find(source, pattern) if opening else -1
        return lead if 0 <= match.start() < body_at else ""
    return ""


def _visible_find(source: str, pattern: str) -> int:
    """Where `pattern` first matches page text (not inside a tag, a script or a style)."""
    for found in re.finditer(pattern, source):
        at = found.start()
        if source.rfind("<", 0, at) > source.rfind(">", 0, at):
            continue  # inside a tag's attributes (a <meta> description)
        lower = source[max(0, at - 20000) : at].lower()
        if lower.rfind("<script") > lower.rfind("</script") or lower.rfind("<style") > lower.rfind(
            "</style"
        ):
            continue
        return at
    return -1


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


def _insert_lead(rendered: Rendered, lead: str) -> Rendered:
    """Put the lead paragraph after the opening headings, shifting every span after it."""
    index = 0
    while index < len(rendered.blocks) and rendered.blocks[index].kind == "heading":
        index += 1
    at = rendered.blocks[index].start if index < len(rendered.blocks) else len(rendered.text)
    insert = lead + BLOCK_SEPARATOR
    if index == len(rendered.blocks):
        at, insert = len(rendered.text), BLOCK_SEPARATOR + lead
    shift = len(insert)
    lead_start = at if index < len(rendered.blocks) else at + len(BLOCK_SEPARATOR)
    blocks = [
        Block(b.kind, b.start + shift, b.end + shift, b.level, b.info) if b.start >= at else b
        for b in rendered.blocks
    ]
    blocks.insert(index, Block("paragraph", lead_start, lead_start + len(lead)))
    marks = [
        Mark(m.kind, m.start + shift, m.end + shift, m.href) if m.start >= at else m
        for m in rendered.marks
    ]
    text = rendered.text[:at] + insert + rendered.text[at:]
    return Rendered(text, blocks, marks, rendered.title, rendered.metadata)


def _is_indentation(text: str | None) -> bool:
    """Whitespace with a newline: lxml's pretty-printing, not the page's (trafilatura trims
    every whitespace-only text it keeps, so such text never comes from the page)."""
    return bool(text) and "\n" in text and not text.strip()


def _parse_document(source: str) -> lxml.html.HtmlElement | None:
    # huge_tree lifts libxml2's depth limit, which would silently drop deeply nested text.
    parser = lxml.html.HTMLParser(huge_tree=True)
    try:
        return lxml.html.document_fromstring(source, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _page_title(source: str) -> str:
    """The page's <title>, whitespace collapsed; "" if none."""
    match = re.search(r"<title[^>]*>(.*?)</title\s*>", source[:200000], re.IGNORECASE | re.DOTALL)
    if not match:
        return ""
    import html as htmllib

    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())


def _visible_body_text(source: str) -> Rendered:
    """Fallback: the visible text of the whole page, a block per block-level element.

    Walked with start/end events rather than recursion, so any depth of nesting is fine.
    """
    b = TextBuilder(collapse_whitespace=True)
    root = _parse_document(source)
    if root is not None:
        body = root.find("body")
        _walk_visible(body if body is not None else root, b)
    text, blocks, marks = b.finish()
    return Rendered(text, blocks, marks, "", {})


def _is_heading_tag(tag: str) -> bool:
    return len(tag) == 2 and tag[0] == "h" and tag[1] in "123456"


def _walk_visible(top: etree._Element, b: TextBuilder) -> None:
    handles: dict[etree._Element, int] = {}
    skipping: etree._Element | None = None  # an invisible element whose subtree is skipped

    def loose(text: str | None) -> None:
        if not text:
            return
        if not b.in_block and text.strip():
            b.start_block("paragraph")
        if b.in_block:
            b.write(text)

    for event, element in etree.iterwalk(top, events=("start", "end")):
        tag = element.tag.lower() if isinstance(element.tag, str) else ""
        if event == "start":
            if skipping is not None:
                continue
            if not tag or tag in _INVISIBLE or _is_hidden(element):
                skipping = element
                continue
            if _is_heading_tag(tag):
                b.start_block("heading", int(tag[1]))
            elif tag == "li":
                b.start_block("list_item", 1, "\u2022")
            elif tag == "blockquote":
                b.start_block("quote", 1)
            elif tag == "pre":
                b.start_block("code", verbatim=True)
            elif tag in _FALLBACK_BLOCKS:
                b.end_block()
            elif tag == "br":
                b.line_break()
            elif tag in ("td", "th"):
                b.write(" ")
            elif tag == "a" and element.get("href"):
                handles[element] = b.open_mark("link", element.get("href") or "")
            elif tag in ("em", "i"):
                handles[element] = b.open_mark("emphasis")
            elif tag in ("strong", "b"):
                handles[element] = b.open_mark("strong")
            elif tag == "code":
                handles[element] = b.open_mark("code")
            loose(element.text)
            continue
        # "end"
        if skipping is not None:
            if element is not skipping:
                continue
            skipping = None
        else:
            handle = handles.pop(element, None)
            if handle is not None:
                b.close_mark(handle)
            if (
                tag in _FALLBACK_BLOCKS
                or tag in ("li", "blockquote", "pre")
                or _is_heading_tag(tag)
            ):
                b.end_block()
        if element is not top:
            loose(element.tail)


def _is_hidden(element: etree._Element) -> bool:
    style = (element.get("style") or "").replace(" ", "").lower()
    return element.get("hidden") is not None or "display:none" in style
