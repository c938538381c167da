"""Store benchmark: prints timings, asserts nothing (machines are shared and noisy).

.venv/bin/python -m tui.store.bench            # 1,000 documents x 100 annotations, on disk
.venv/bin/python -m tui.store.bench --memory   # the same in memory
.venv/bin/python -m tui.store.bench --docs 50 --per-doc 20 --big 500   # quick look
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tui.model import Anchor, Annotation, Block, Document
from tui.store.store import Store

_SYLLABLES = ["ka", "za", "kh", "sta", "tri", "al", "pow", "er", "ju", "dge", "ment", "ion", "or"]
_WORDS = ["court", "trial", "power", "journalist", "verdict", "Almaty", "café", "власть"]


def _vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    words = set(_WORDS)
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    return sorted(words)


def make_document(rng: random.Random, vocab: list[str], n: int, words: int = 1000) -> Document:
    """A synthetic article of `words` words in paragraphs of about 80 words."""
    paragraphs = []
    for _ in range(max(1, words // 80)):
        paragraphs.append(" ".join(rng.choice(vocab) for _ in range(80)).capitalize() + ".")
    text = "\n\n".join(paragraphs)
    blocks, pos = [], 0
    for paragraph in paragraphs:
        blocks.append(Block("paragraph", pos, pos + len(paragraph)))
        pos += len(paragraph) + 2
    return Document(text=text, title=f"Article {n}", blocks=blocks, source=f"/tmp/article-{n}.txt")


def make_annotations(
    rng: random.Random, doc: Document, count: int, tags: list[str]
) -> list[Annotation]:
    """`count` highlights of 20-200 characters at random places, a third with notes."""
    assert doc.id is not None
    out = []
    for _ in range(count):
        start = rng.randrange(0, max(1, len(doc.text) - 200))
        end = start + rng.randint(20, 200)
        out.append(
            Annotation(
                id=0,
                uuid="",
                document_id=doc.id,
                start=start,
                end=end,
                exact=doc.text[start:end],
                prefix=doc.text[max(0, start - 32) : start],
                suffix=doc.text[end : end + 32],
                note="verdict of the court, see power" if rng.random() < 0.33 else "",
                tags=rng.sample(tags, min(len(tags), rng.randint(0, 2))),
            )
        )
    return out


def _timed(label: str, fn: Callable[[], object], repeat: int = 1) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    shown = f"{median * 1000:9.2f} ms" if median < 1 else f"{median:9.2f} s "
    print(f"  {label:<58} {shown}" + (f"  (median of {repeat})" if repeat > 1 else ""))
    return median


def run(path: str | Path, *, docs: int = 1000, per_doc: int = 100, big: int = 10_000) -> None:
    """Fill a store at `path` (":memory:" works) and print how long the operations take."""
    rng = random.Random(42)
    vocab = _vocabulary(rng)
    tags = [f"code-{i}" for i in range(12)]
    print(f"store benchmark: {docs} documents x {per_doc} annotations, big document {big}")
    with Store(path) as store:
        documents: list[Document] = []

        def add_docs() -> None:
            with store.bulk():
                for n in range(docs):
                    documents.append(store.add_document(make_document(rng, vocab, n)))

        _timed(f"add {docs} documents (~1,000 words each), one transaction", add_docs)
        batches = [make_annotations(rng, d, per_doc, tags) for d in documents]
        total = sum(len(b) for b in batches)
        step = max(1, len(batches) // 10)

        def add_anns() -> None:
            for i in range(0, len(batches), step):
                store.add_annotations([a for b in batches[i : i + step] for a in b])

        _timed(f"add {total:,} annotations in ~10 transactions (+FTS, tags)", add_anns)

        bigdoc = store.add_document(make_document(rng, vocab, docs, words=20_000))
        store.add_annotations(make_annotations(rng, bigdoc, big, tags))
        assert bigdoc.id is not None
        one = documents[len(documents) // 2].id
        assert one is not None
        _timed(
            f"annotations_for, document with {big:,} annotations",
            lambda: store.annotations_for(bigdoc.id),
            5,
        )
        _timed(
            f"annotations_for, document with {per_doc} annotations",
            lambda: store.annotations_for(one),
            20,
        )
        _timed("get_document (~1,000 words)", lambda: store.get_document(one), 20)
        _timed(f"list_documents ({docs + 1} documents)", store.list_documents, 5)
        _timed(
            "search 'verdict court' (common: notes + texts), limit 50",
            lambda: store.search("verdict court"),
            5,
        )
        _timed("search 'власть' (rare-ish), limit 50", lambda: store.search("власть"), 5)
        _timed(
            f"search 'power' within the {big:,}-annotation document",
            lambda: store.search("power", document_id=bigdoc.id),
            5,
        )
        _timed(
            "search prefix 'journ*' (search as you type)",
            lambda: store.search("journ", prefix=True),
            5,
        )
        anchor = Anchor(0, 10, bigdoc.text[:10], "", bigdoc.text[10:42], bigdoc.sha256)
        _timed(
            "add_annotation with 2 tags (one transaction, fsync)",
            lambda: store.add_annotation(one, anchor, tags=["a", "b"]),
            20,
        )
        _timed(
            "set_position (one transaction, fsync)", lambda: store.set_position(bigdoc.id, 500), 20
        )
        ann = store.annotations_for(one)[0]
        _timed("update_annotation note", lambda: store.update_annotation(ann.id, note="x"), 20)


def main() -> None:
    """Command line: see the module docstring."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1000)
    parser.add_argument("--per-doc", type=int, default=100)
    parser.add_argument("--big", type=int, default=10_000)
    parser.add_argument("--memory", action="store_true", help="use an in-memory database")
    args = parser.parse_args()
    if args.memory:
        run(":memory:", docs=args.docs, per_doc=args.per_doc, big=args.big)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.db"
        run(path, docs=args.docs, per_doc=args.per_doc, big=args.big)
        print(f"  database size: {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
