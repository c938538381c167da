"""W3C Web Annotation export: one JSON-LD `AnnotationCollection` holding every annotation.

Follows the Web Annotation Data Model (https://www.w3.org/TR/annotation-model/); the exact shape,
with an example, is in docs/formats.md. Offsets count Unicode code points of the text margin
stores for the document (the extracted text, not the bytes or the HTML of the source file).
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import json
import re
import uuid
from collections.abc import Iterator, Sequence
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any

from tui.export._common import CONTEXT_CHARS, Item, is_placed, iso_timestamp, split_sorted
from tui.model import Annotation, Document

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"

#: Fixed namespace for the name-based UUIDs margin makes (collection ids, missing annotation ids).
MARGIN_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:margin")

#: Background colours written into each annotation's CSS stylesheet, by margin colour name.
CSS_COLORS: dict[str, str] = {
    "yellow": "#fff59d",
    "green": "#a5d6a7",
    "blue": "#90caf9",
    "pink": "#f48fb1",
    "purple": "#ce93d8",
}

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")
_CSS_WORD = re.compile(r"^#?[A-Za-z0-9]+$")


def source_iri(doc: Document) -> str:
    """The IRI of a document: its URL as is, `file://` for an absolute path, else a margin URN.

    The URN (`urn:margin:document:<id>`) names documents read from standard input or a relative
    path; a document the store has not numbered yet is named by the sha256 of its text.
    """
    source = doc.source.strip()
    # Two or more characters before ":" so that a Windows drive ("C:") is not taken for a scheme.
    if _SCHEME.match(source):
        return source
    if source and source != "-" and Path(source).is_absolute():
        return Path(source).as_uri()
    if doc.id is not None:
        return f"urn:margin:document:{doc.id}"
    return f"urn:margin:document:sha256-{doc.sha256}"


def motivation(ann: Annotation) -> str:
    """The motivation: "commenting" with a note, else "tagging" with tags, else "highlighting".

    Each body also carries its own `purpose` ("commenting" or "tagging"), so a note with tags is
    a comment whose tag bodies still say what they are.
    """
    if ann.note:
        return "commenting"
    return "tagging" if ann.tags else "highlighting"


def annotation_iri(doc: Document, ann: Annotation) -> str:
    """`urn:uuid:` and the annotation's UUID; a name-based UUID if the stored one is unusable."""
    try:
        return uuid.UUID(ann.uuid).urn
    except (ValueError, AttributeError, TypeError):
        name = f"{source_iri(doc)}#{ann.id}:{ann.start}:{ann.end}:{ann.exact}"
        return uuid.uuid5(MARGIN_NAMESPACE, name).urn


@functools.lru_cache(maxsize=256)
def _style_class(color: str) -> str:
    return "margin-" + re.sub(r"[^A-Za-z0-9_-]+", "-", color).strip("-")


def _selectors(doc: Document, ann: Annotation, placed: bool) -> list[dict[str, Any]]:
    """A TextQuoteSelector, plus a TextPositionSelector when the annotation is placed.

    For placed annotations all of exact, prefix and suffix come from the current text, so both
    selectors describe the same span; an unplaced one keeps the quote and context as made and
    has no position, since where it last was no longer holds that text.
    """
    if placed:
        text = doc.text
        exact = text[ann.start : ann.end]
        prefix = text[max(0, ann.start - CONTEXT_CHARS) : ann.start]
        suffix = text[ann.end : ann.end + CONTEXT_CHARS]
    else:
        exact, prefix, suffix = ann.exact, ann.prefix, ann.suffix
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": exact}
    # An empty prefix (quote at the start of the text) says nothing, so it is left out.
    if prefix:
        quote["prefix"] = prefix
    if suffix:
        quote["suffix"] = suffix
    if not placed:
        return [quote]
    return [quote, {"type": "TextPositionSelector", "start": ann.start, "end": ann.end}]


def annotation_json(
    doc: Document,
    ann: Annotation,
    *,
    source: str | None = None,
    placed: bool | None = None,
    generated: str | None = None,
) -> dict[str, Any]:
    """One annotation as a W3C `Annotation` object, without `@context` (the collection has it).

    `source` (the document's IRI) and `placed` (`is_placed(doc, ann)`) save the work when the
    caller already knows them.
    """
    if placed is None:
        placed = is_placed(doc, ann)
    out: dict[str, Any] = {
        "id": annotation_iri(doc, ann),
        "type": "Annotation",
        "motivation": motivation(ann),
    }
    created, modified = iso_timestamp(ann.created), iso_timestamp(ann.updated)
    if created:
        out["created"] = created
    if modified:
        out["modified"] = modified
    if generated:
        out["generator"] = {"type": "Software", "name": "margin"}
        out["generated"] = generated
    body: list[dict[str, Any]] = [
        {"type": "TextualBody", "purpose": "tagging", "value": tag} for tag in ann.tags
    ]
    if ann.note:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "format": "text/plain",
                "value": ann.note,
            }
        )
    if body:
        out["body"] = body
    target: dict[str, Any] = {
        "source": source or source_iri(doc),
        "selector": _selectors(doc, ann, placed),
    }
    out["target"] = target
    # The model's own way to carry a highlight colour: a class on the target, defined by a CSS
    # stylesheet on the annotation.
    color = ann.color.strip()
    css_class = _style_class(color)
    if color and css_class != "margin-":
        target["styleClass"] = css_class
        css_value = CSS_COLORS.get(color.lower()) or (color if _CSS_WORD.match(color) else "")
        if css_value:
            out["stylesheet"] = {
                "type": "CssStylesheet",
                "value": f".{css_class} {{ background-color: {css_value}; }}",
            }
    return out


def _fingerprint(items: Sequence[Item], label: str) -> str:
    """A name-based UUID URN from what the collection holds, so one export always has one id."""
    digest = hashlib.sha256(label.encode("utf-8", "surrogatepass"))
    for doc, anns in items:
        digest.update(f"\0doc\0{source_iri(doc)}\0{doc.sha256}".encode())
        for ann in anns:
            fields = (ann.uuid, ann.start, ann.end, ann.exact, ann.note, ann.tags, ann.color)
            digest.update(repr((*fields, ann.status, ann.updated)).encode("utf-8", "surrogatepass"))
    return uuid.uuid5(MARGIN_NAMESPACE, digest.hexdigest()).urn


def _default_label(items: Sequence[Item]) -> str:
    if len(items) == 1:
        return f"margin annotations: {items[0][0].title or 'Untitled'}"
    return f"margin annotations from {len(items)} documents"


def to_w3c_collection(
    items: Sequence[Item],
    *,
    generated: str | None = None,
    collection_id: str | None = None,
    label: str | None = None,
) -> dict[str, Any]:
    """The `AnnotationCollection` for `items` as a dict, ready for `json.dumps`.

    All annotations are in one `AnnotationPage` (`first`), documents in the order given and each
    document's annotations in document order, unplaced ones last. `collection_id` defaults to a
    `urn:uuid:` derived from the content, `label` to one naming the document(s). The page is
    left out when there are no annotations, as the model asks. `generated` is normalised to UTC;
    ValueError if it is not an ISO 8601 time.
    """
    if generated is not None:
        stamp = iso_timestamp(generated)
        if stamp is None:
            raise ValueError(f"generated must be an ISO 8601 time, not {generated!r}")
        generated = stamp
    label = label if label is not None else _default_label(items)
    collection_id = collection_id or _fingerprint(items, label)
    annotations: list[dict[str, Any]] = []
    for doc, anns in items:
        source = source_iri(doc)
        placed, unplaced = split_sorted(doc, anns)
        for group, here in ((placed, True), (unplaced, False)):
            for ann in group:
                annotations.append(
                    annotation_json(doc, ann, source=source, placed=here, generated=generated)
                )
    collection: dict[str, Any] = {
        "@context": ANNO_CONTEXT,
        "id": collection_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(annotations),
    }
    if annotations:
        collection["first"] = {
            "id": uuid.uuid5(MARGIN_NAMESPACE, collection_id + "/page1").urn,
            "type": "AnnotationPage",
            "partOf": collection_id,
            "startIndex": 0,
            "items": annotations,
        }
    return collection


def to_w3c_json(
    items: Sequence[Item],
    *,
    generated: str | None = None,
    collection_id: str | None = None,
    label: str | None = None,
) -> str:
    """W3C Web Annotation JSON-LD for `items` (see `to_w3c_collection`), indented by 2.

    `generated`, an ISO 8601 time, adds `generated` and a `generator` to every annotation;
    without it the output depends on the data alone. Raises ValueError if it is not a time.
    """
    with _gc_paused():
        collection = to_w3c_collection(
            items, generated=generated, collection_id=collection_id, label=label
        )
        return dumps_indented(collection) + "\n"


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector, restoring its state afterwards.

    Building 100,000 annotation dicts set off collections that scanned every live object again
    and again, about half of the export time; the dicts hold no cycles, so nothing is missed.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def dumps_indented(value: Any, indent: str = "  ") -> str:
    """The same text as `json.dumps(value, ensure_ascii=False, indent=2)`, about three times faster.

    With `indent` the standard library falls back to its pure-Python encoder, which took most of
    the time of a 100,000-annotation export; this walks the value once, escaping strings with
    the C function `json.dumps` itself uses. Types other than dict, list, str, bool, None and
    int are left to `json.dumps`.
    """
    parts: list[str] = []
    add = parts.append
    quote = encode_basestring

    def walk(item: Any, pad: str) -> None:
        if isinstance(item, str):
            add(quote(item))
        elif isinstance(item, dict):
            if not item:
                add("{}")
                return
            inner = pad + indent
            opener = "{\n"
            for key, child in item.items():
                add(opener + inner + quote(str(key)) + ": ")
                opener = ",\n"
                walk(child, inner)
            add("\n" + pad + "}")
        elif isinstance(item, list | tuple):
            if not item:
                add("[]")
                return
            inner = pad + indent
            opener = "[\n"
            for child in item:
                add(opener + inner)
                opener = ",\n"
                walk(child, inner)
            add("\n" + pad + "]")
        elif item is True:
            add("true")
        elif item is False:
            add("false")
        elif item is None:
            add("null")
        elif isinstance(item, int):
            add(int.__repr__(item))
        else:
            add(json.dumps(item, ensure_ascii=False))

    walk(value, "")
    return "".join(parts)
