"""Small pieces of the model that other parts count on."""

from __future__ import annotations

import random

from tui.model import Document, word_count


def test_word_count_agrees_with_split_across_chunk_edges() -> None:
    rng = random.Random(5)
    alphabet = "ab  \n\t\u00a0\u2003\x1c\x85xé"
    for _ in range(2000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 80)))
        for chunk in (1, 2, 3, 7, 1000):
            assert word_count(text, chunk) == len(text.split()), (text, chunk)


def test_word_count_of_one_long_word_and_of_a_document() -> None:
    assert word_count("x" * 100_000, 64) == 1
    assert Document(text="One two\nthree.  ", title="t").words == 3
