"""Fill a margin database with realistic annotations, through margin's own API.

One document, N annotations:

    python -m benchmarks.populate --db FILE --doc PATH --annotations N

A synthetic library of M generated documents of varied length, N annotations in all:

    python -m benchmarks.populate --db FILE --documents M --annotations N

Annotations are a few words to a few sentences long (snapped to word boundaries, never
overlapping), carry 1-3 tags from a codebook of 30 (the first nine on quick keys 1-9), a third
have notes, and they use the five colours. The same arguments and seed give the same database.
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tui.anchoring import make_anchor
from tui.document import load_bytes
from tui.library import import_file
from tui.model import COLORS, Annotation, Document
from tui.store import Store

SEED = 2600
#: Tags a qualitative reader of novels and articles might use; the first nine get keys 1-9.
CODEBOOK = (
    "theme",
    "character",
    "quote",
    "question",
    "evidence",
    "irony",
    "war",
    "family",
    "history",
    "power",
    "faith",
    "death",
    "love",
    "society",
    "nature",
    "memory",
    "honour",
    "fate",
    "class",
    "money",
    "politics",
    "religion",
    "strategy",
    "letters",
    "dream",
    "symbol",
    "foreshadowing",
    "contradiction",
    "to-check",
    "favourite",
)
NOTE_OPENINGS = (
    "Compare with",
    "Why does he say this here?",
    "Key passage for",
    "Contradicts the earlier scene about",
    "Echoes",
    "Check the translation of",
    "Good example of",
    "The narrator steps in:",
    "Possible essay quote on",
    "Ask in the seminar about",
)
#: Lengths in words: a few words, about a sentence, a few sentences (weights 4:4:2).
LENGTHS = ((2, 8, 4), (9, 30, 4), (31, 90, 2))
BATCH = 20_000

_WORD = re.compile(r"\S+")
_LETTERS = re.compile(r"[A-Za-z][a-z]+")


def word_spans(text: str) -> tuple[list[int], list[int]]:
    """Starts and ends of the whitespace-separated words of `text`."""
    starts, ends = [], []
    for m in _WORD.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def pick_spans(
    rng: random.Random, text: str, count: int, words: tuple[list[int], list[int]] | None = None
) -> list[tuple[int, int]]:
    """`count` non-overlapping word-aligned spans of `text` in text order (fewer if short)."""
    starts, ends = words or word_spans(text)
    if not starts or count <= 0:
        return []
    count = min(count, max(1, len(starts) // 3))
    firsts = sorted(rng.sample(range(len(starts)), count))
    spans = []
    for i, first in enumerate(firsts):
        lo, hi, _ = rng.choices(LENGTHS, weights=[w for _, _, w in LENGTHS])[0]
        length = rng.randint(lo, hi)
        limit = firsts[i + 1] - 1 if i + 1 < len(firsts) else len(starts) - 1
        last = max(first, min(first + length - 1, limit))
        start, end = starts[first], ends[last]
        paragraph_end = text.find("\n\n", start, end)  # people rarely cross a paragraph
        if paragraph_end != -1:
            end = start + len(text[start:paragraph_end].rstrip())
        spans.append((start, end))
    return spans


def make_note(rng: random.Random, quote: str) -> str:
    """A note of one to three short sentences that refers to the passage."""
    words = _LETTERS.findall(quote) or ["this"]
    parts = [f"{rng.choice(NOTE_OPENINGS)} {rng.choice(words).lower()}."]
    if rng.random() < 0.5:
        parts.append(f"See also the {rng.choice(CODEBOOK)} thread, chapter {rng.randint(1, 40)}.")
    if rng.random() < 0.2:
        parts.append("Worth rereading after the next part; the tone changes completely.")
    return " ".join(parts)


def make_annotations(
    rng: random.Random, doc: Document, count: int, words: tuple[list[int], list[int]] | None = None
) -> list[Annotation]:
    """`count` realistic annotations of the stored document `doc`."""
    assert doc.id is not None
    sha = doc.sha256
    out = []
    for start, end in pick_spans(rng, doc.text, count, words):
        anchor = make_anchor(doc.text, start, end, text_sha256=sha)
        note = make_note(rng, anchor.exact) if rng.random() < 1 / 3 else ""
        out.append(
            Annotation(
                id=0,
                uuid="",
                document_id=doc.id,
                start=anchor.start,
                end=anchor.end,
                exact=anchor.exact,
                prefix=anchor.prefix,
                suffix=anchor.suffix,
                color=rng.choice(COLORS),
                note=note,
                tags=rng.sample(CODEBOOK, rng.randint(1, 3)),
            )
        )
    return out


def ensure_codebook(store: Store) -> None:
    """Create the 30 tags in order, so the first nine get quick keys 1-9 in a fresh store."""
    with store.bulk():
        for name in CODEBOOK:
            store.ensure_tag(name)
    if not any(tag.key == 1 for tag in store.list_tags()):
        store.update_tag(CODEBOOK[0], key=1)


def save(store: Store, annotations: Sequence[Annotation]) -> None:
    """Add annotations in large batches (each one transaction, indexed in one statement)."""
    for i in range(0, len(annotations), BATCH):
        store.add_annotations(annotations[i : i + BATCH])


def populate_document(store: Store, path: Path, count: int, *, seed: int = SEED) -> int:
    """Import `path` (if needed) and give it `count` more annotations; returns its id."""
    report = import_file(store, path)
    doc = store.get_document(report.document_id)
    ensure_codebook(store)
    save(store, make_annotations(random.Random(seed), doc, count))
    return report.document_id


# -- a synthetic library -------------------------------------------------------------------------

_SYLLABLES = ("ka", "lo", "mir", "sta", "tri", "vel", "an", "dor", "es", "in", "or", "tal", "ve")


def vocabulary(rng: random.Random, corpus: Path | None) -> tuple[list[str], list[float]]:
    """Words with weights: War and Peace's word frequencies when at hand, else made-up words."""
    if corpus is not None and corpus.is_file():
        counts = Counter(w.lower() for w in _LETTERS.findall(corpus.read_text(encoding="utf-8")))
        common = counts.most_common(8000)
        return [w for w, _ in common], [float(c) for _, c in common]
    words = sorted(
        {"".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))) for _ in range(6000)}
    )
    return words, [1.0 / (rank + 1) for rank in range(len(words))]


def make_text(rng: random.Random, vocab: tuple[list[str], list[float]], words: int) -> str:
    """Paragraphs of sentences of 6-30 words, `words` words in all."""
    names, weights = vocab
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    pool = rng.choices(names, cum_weights=cumulative, k=words)
    paragraphs, sentences, pos = [], [], 0
    while pos < len(pool):
        n = rng.randint(6, 30)
        chunk = pool[pos : pos + n]
        pos += n
        sentence = " ".join(chunk)
        sentences.append(sentence[:1].upper() + sentence[1:] + rng.choice(".....?!"))
        if len(sentences) >= rng.randint(2, 8) or pos >= len(pool):
            paragraphs.append(" ".join(sentences))
            sentences = []
    return "\n\n".join(paragraphs) + "\n"


def library_sizes(rng: random.Random, documents: int) -> list[int]:
    """Word counts from short notes to long reports: log-normal, median about 1,500 words."""
    return [
        max(150, min(30_000, int(rng.lognormvariate(math.log(1500), 0.9))))
        for _ in range(documents)
    ]


def populate_library(
    store: Store,
    documents: int,
    annotations: int,
    *,
    seed: int = SEED,
    corpus: Path | None = None,
    progress: bool = False,
) -> list[int]:
    """Add `documents` generated documents and `annotations` annotations spread over them by
    length; returns the new documents' ids."""
    rng = random.Random(seed)
    vocab = vocabulary(rng, corpus)
    ensure_codebook(store)
    docs: list[Document] = []
    with store.bulk():
        for n, words in enumerate(library_sizes(rng, documents)):
            text = make_text(rng, vocab, words)
            title = " ".join(rng.sample(vocab[0][:2000], rng.randint(2, 6))).capitalize()
            name = f"article-{seed}-{n:05d}.txt"
            loaded = load_bytes(
                text.encode("utf-8"), name=name, fmt="text", title=title, source=f"/library/{name}"
            )
            docs.append(store.add_document(loaded.document))
            if progress and n % 100 == 99:
                print(f"  {n + 1} documents", file=sys.stderr)
    lengths = [len(d.text) for d in docs]
    cumulative, total = [], 0
    for length in lengths:
        total += length
        cumulative.append(total)
    share = Counter(
        bisect.bisect_right(cumulative, rng.randrange(total)) for _ in range(annotations)
    )
    pending: list[Annotation] = []
    for i, doc in enumerate(docs):
        if share[i]:
            pending += make_annotations(rng, doc, share[i])
        if len(pending) >= BATCH:
            save(store, pending)
            pending = []
    save(store, pending)
    return [d.id for d in docs if d.id is not None]


def main(argv: Sequence[str] | None = None) -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.populate",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", required=True, type=Path, help="database file (made if missing)")
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--doc", type=Path, help="the document to annotate (imported if needed)")
    what.add_argument("--documents", type=int, help="generate a library of this many documents")
    parser.add_argument("--annotations", type=int, required=True, help="how many annotations")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path(__file__).resolve().parents[2]
        / "shared/corpus/texts/pg2600-war-and-peace-en.txt",
        help="text whose word frequencies the generated documents follow (optional)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    with Store(args.db) as store:
        if args.doc is not None:
            doc_id = populate_document(store, args.doc, args.annotations, seed=args.seed)
            what_done = f"document #{doc_id}: {args.annotations:,} annotations"
        else:
            ids = populate_library(
                store,
                args.documents,
                args.annotations,
                seed=args.seed,
                corpus=args.corpus,
                progress=True,
            )
            what_done = f"{len(ids):,} documents, {args.annotations:,} annotations"
    print(f"{args.db}: {what_done} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
