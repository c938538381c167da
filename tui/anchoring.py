"""Make an anchor from a span of text, and find where it lands in a text that may have changed.

Pure functions on strings (GUIDE section 5): no Textual, no SQLite. An anchor keeps the span,
the exact quote, up to `CONTEXT` code points of prefix and suffix and the text's sha256.
`resolve` tries, in order: the stored span; every exact occurrence of the quote; an approximate
search (semi-global Levenshtein with Myers' bit-parallel algorithm on Python ints) near the old
position; the same search over the whole text, pre-filtered by rapidfuzz. Candidates are scored on
quote, prefix, suffix and position, and weak or ambiguous matches are refused rather than moved.

`snap_span` widens a selection to whole grapheme clusters, so a highlight never splits an emoji
sequence, a flag or a letter from its combining marks.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

from tui.model import Anchor, AnchorStatus, Resolution
from tui.model import text_sha256 as _sha256

# rapidfuzz is imported where it is used: the reader opens without it (8 ms) unless a text changed.

__all__ = [
    "CONTEXT",
    "Candidate",
    "is_grapheme_boundary",
    "make_anchor",
    "resolve",
    "score_span",
    "snap_span",
]

#: Code points of context kept before and after the quote.
CONTEXT = 32

# Score weights (GUIDE 5) and the bars a candidate must pass.
W_QUOTE, W_PREFIX, W_SUFFIX, W_POSITION = 50.0, 20.0, 20.0, 2.0
W_TOTAL = W_QUOTE + W_PREFIX + W_SUFFIX + W_POSITION
ACCEPT_QUOTE = 0.9
ACCEPT_SCORE = 0.8
REVIEW_SCORE = 0.5
AMBIGUITY_MARGIN = 0.02
#: Two accepted candidates within the margin are still told apart when one is this many times
#: nearer the old position than the other (see `_clearly_nearer`).
POSITION_FACTOR = 4
#: Quotes shorter than this also need a well-matching prefix or suffix to be accepted.
SHORT_QUOTE = 20
SHORT_CONTEXT = 0.8
#: Similarity given to a stored empty context (the quote was at the start or end of the text)
#: when the candidate is not at the start or end: the anchor cannot tell, so neither for nor
#: against. Text added above a title is a common edit and should not orphan the title.
EMPTY_CONTEXT = 0.5
MAX_ERRORS = 256
#: Context comparisons forgive insertions or deletions of up to this many code points right
#: next to the quote, which a fixed-width window would count twice.
CONTEXT_SHIFT = 8
#: The neighbourhood searched first: the old span widened on each side by this many times the
#: quote's length (counted up to NEIGHBOURHOOD_PAD) plus NEIGHBOURHOOD_PAD.
NEIGHBOURHOOD_TIMES = 3
NEIGHBOURHOOD_PAD = 4096
#: The whole-text search only looks for quotes at least this similar (errors <= 25%); below it a
#: far-away candidate with unrelated context cannot reach "needs-review" anyway.
FAR_MIN_QUOTE = 0.75
FAR_BLOCK = 16384
#: rapidfuzz's partial_ratio is fast for needles up to 64 code points; longer quotes are cut
#: into pieces of at most this length for the whole-text filter.
FAR_PIECE = 64
FAR_MAX_PIECES = 16
#: Beyond this many exact occurrences (a letter in a book), only the nearest are scored, and
#: at most REFINE_LIMIT candidates get the shift-tolerant context score.
MAX_OCCURRENCES = 20000
REFINE_LIMIT = 256
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Candidate:
    """A span where an anchor might land, with the parts of its score (each 0..1).

    `quote` is 1 - errors / len(exact); `prefix`/`suffix` compare the stored context with the
    text around the span; `position` is 1 at the old start and falls linearly to 0 at a text's
    length away. `score` is their weighted mean (50/20/20/2). `accepted` is True when the span
    passes the bar on its own: quote >= 0.9, score >= 0.8 and, for short quotes, a prefix or
    suffix of at least 0.8.
    """

    start: int
    end: int
    errors: int
    quote: float
    prefix: float
    suffix: float
    position: float
    score: float
    accepted: bool


def make_anchor(text: str, start: int, end: int, *, text_sha256: str | None = None) -> Anchor:
    """Anchor `text[start:end]`: the quote, up to `CONTEXT` code points around it, the text's hash.

    `text_sha256` may be passed when the caller already knows it, to skip hashing a big text.
    Raises ValueError for an empty or out-of-range span.
    """
    if not 0 <= start < end <= len(text):
        raise ValueError(f"span {start}..{end} is empty or outside a text of {len(text)}")
    return Anchor(
        start=start,
        end=end,
        exact=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        text_sha256=text_sha256 if text_sha256 is not None else _sha256(text),
    )


def resolve(text: str, anchor: Anchor, *, text_sha256: str | None = None) -> Resolution:
    """Find where `anchor` lands in `text` (GUIDE 5).

    Returns "anchored" (the stored span still holds the quote), "moved" (one clear place
    elsewhere), "ambiguous" (two accepted places within 0.02), "needs-review" (the best place
    scores 0.5 or more but is not accepted) or "orphan" (nothing scores 0.5; no span). The span
    of an ambiguous or needs-review result is the best candidate, kept for review. The anchor
    is never changed. `text_sha256` may be passed to skip hashing a big text.
    """
    exact = anchor.exact
    if not exact:
        return Resolution("orphan", None, None, 0.0)
    resolver = _Resolver(text, anchor)

    # 1. The stored span. A short quote (a letter, a word) can sit at its old offset by
    #    coincidence once the text changed (one letter of "ee" shifted by one), so it also
    #    needs the same text or an intact prefix or suffix; otherwise it competes below.
    if resolver.holds_quote(anchor.start, anchor.end):
        if len(exact) >= SHORT_QUOTE:
            return Resolution("anchored", anchor.start, anchor.end, 1.0)
        same_text = (text_sha256 or _sha256(text)) == anchor.text_sha256
        if same_text or resolver.context_intact(anchor.start, anchor.end):
            return Resolution("anchored", anchor.start, anchor.end, 1.0)

    # 2. Every exact occurrence. The common case (text added or removed elsewhere) leaves one
    #    intact copy of context + quote + context: that ends the search at once. Otherwise a
    #    perfect exact candidate also ends it; an imperfect one does not, since the annotated
    #    copy may have been edited while an intact copy elsewhere matches on one side only.
    if text.count(exact) > 32:
        # Only worth it for a common word: with few copies, ranking them all also tells
        # whether a second copy comes within the ambiguity margin.
        perfect = resolver.perfect_copy()
        if perfect is not None and perfect.accepted:
            return Resolution("moved", perfect.start, perfect.end, perfect.score)
    resolver.add_exact_occurrences()
    ranked = resolver.rank()
    result = _decide(ranked, anchor, resolver.old_start)
    if ranked and _is_perfect(ranked[0]) and result.status in ("anchored", "moved"):
        return result

    # 3. Approximate search near the old position, then over the whole text if nothing there
    #    passes the bar.
    resolver.search_neighbourhood()
    ranked = resolver.rank()
    result = _decide(ranked, anchor, resolver.old_start)
    if result.status in ("anchored", "moved", "ambiguous"):
        return result
    if resolver.search_far():
        result = _decide(resolver.rank(), anchor, resolver.old_start)
    return result


def score_span(text: str, anchor: Anchor, start: int, end: int) -> Candidate:
    """Score the anchor against `text[start:end]` as `resolve` does (for review and tests)."""
    from rapidfuzz.distance import Levenshtein

    if not 0 <= start <= end <= len(text):
        raise ValueError(f"span {start}..{end} is outside a text of {len(text)}")
    errors = Levenshtein.distance(anchor.exact, text[start:end])
    return _Resolver(text, anchor).candidate(start, end, errors)


# --- resolution ------------------------------------------------------------------------------


def _is_perfect(candidate: Candidate) -> bool:
    return candidate.errors == 0 and candidate.prefix == 1.0 and candidate.suffix == 1.0


def _rank_key(candidate: Candidate, old_start: int) -> tuple[float, int, int]:
    # Best score first; ties go to the nearest to the old position, then the first.
    return (-candidate.score, abs(candidate.start - old_start), candidate.start)


def _clearly_nearer(best: Candidate, runner: Candidate, old_start: int) -> bool:
    """True when `best` lies POSITION_FACTOR times nearer the old position than `runner`.

    Copies with the same context (a sentence inside a paragraph that a page repeats, as the
    reference article does) score within the margin whatever the position weight; when the
    text only shifted a little, the copy that stayed close is the one that was annotated.
    """
    return abs(best.start - old_start) * POSITION_FACTOR < abs(runner.start - old_start)


def _decide(ranked: list[Candidate], anchor: Anchor, old_start: int) -> Resolution:
    """Turn ranked candidates into a Resolution (GUIDE 5, step 5)."""
    if not ranked:
        return Resolution("orphan", None, None, 0.0)
    best = ranked[0]
    status: AnchorStatus
    if best.accepted:
        runner = next((c for c in ranked[1:] if c.accepted), None)
        if (
            runner is not None
            and best.score - runner.score <= AMBIGUITY_MARGIN + _EPS
            and not _clearly_nearer(best, runner, old_start)
        ):
            status = "ambiguous"
        elif best.errors == 0 and (best.start, best.end) == (anchor.start, anchor.end):
            status = "anchored"
        else:
            status = "moved"
    elif best.score >= REVIEW_SCORE - _EPS:
        status = "needs-review"
    else:
        return Resolution("orphan", None, None, best.score)
    return Resolution(status, best.start, best.end, best.score)


class _Resolver:
    """The state of one resolution: the text, the anchor and the candidates found so far."""

    def __init__(self, text: str, anchor: Anchor) -> None:
        self.text = text
        self.anchor = anchor
        self.exact = anchor.exact
        self.m = len(anchor.exact)
        self.n = len(text)
        self.max_errors = min(MAX_ERRORS, self.m // 2)
        self.old_start = min(max(anchor.start, 0), self.n)
        # (start, end) -> edit errors against the quote
        self.found: dict[tuple[int, int], int] = {}
        self.refined: dict[tuple[int, int], Candidate] = {}
        self.rough: dict[tuple[int, int], float] = {}
        self.scanned: list[tuple[int, int]] = []

    # step 1

    def holds_quote(self, start: int, end: int) -> bool:
        return start >= 0 and end - start == self.m and self.text.startswith(self.exact, start)

    def context_intact(self, start: int, end: int) -> bool:
        """True when the stored prefix or suffix still stands exactly beside the span."""
        prefix, suffix = self.anchor.prefix, self.anchor.suffix
        before = self.text.endswith(prefix, 0, start) if prefix else start == 0
        after = self.text.startswith(suffix, end) if suffix else end == self.n
        return before or after

    # candidate search

    def add_exact_occurrences(self) -> None:
        """Add every exact occurrence of the quote (the MAX_OCCURRENCES nearest if more)."""
        find, exact = self.text.find, self.exact
        starts = []
        at = find(exact)
        while at >= 0:
            starts.append(at)
            at = find(exact, at + 1)  # +1, not +m: overlapping copies ("aa" in "aaa") count
        if len(starts) > MAX_OCCURRENCES:
            # A letter or a common word: the copies far away are unlikely to be the one.
            middle = bisect_left(starts, self.old_start)
            lo = min(max(0, middle - MAX_OCCURRENCES // 2), len(starts) - MAX_OCCURRENCES)
            starts = starts[lo : lo + MAX_OCCURRENCES]
        for at in starts:
            self.found[(at, at + self.m)] = 0

    def perfect_copy(self) -> Candidate | None:
        """The only place where prefix, quote and suffix all still stand intact, if there is one."""
        prefix, suffix = self.anchor.prefix, self.anchor.suffix
        if not prefix or not suffix:
            return None  # at the start or end of the text: the general search decides
        whole = prefix + self.exact + suffix
        at = self.text.find(whole)
        if at < 0 or self.text.find(whole, at + 1) >= 0:
            return None
        return self.candidate(at + len(prefix), at + len(prefix) + self.m, 0)

    def search_neighbourhood(self) -> None:
        """Add the approximate matches around the old position."""
        if self.max_errors == 0:
            return  # a one-letter quote has no approximate form beyond its exact occurrences
        # The search costs about len(region) * len(quote), so a long quote's neighbourhood
        # grows no further than for a 4 KB one.
        pad = NEIGHBOURHOOD_TIMES * min(self.m, NEIGHBOURHOOD_PAD) + NEIGHBOURHOOD_PAD
        lo = max(0, self.old_start - pad)
        hi = min(self.n, self.old_start + self.m + pad)
        self._scan(lo, hi)

    def search_far(self) -> bool:
        """Search the rest of the text; False when there is nothing more to search."""
        if self.max_errors == 0:
            return False  # a quote of one letter has no approximate form to look for
        if self.scanned and self.scanned[0] == (0, self.n):
            return False
        for lo, hi in _far_regions(self.text, self.anchor, self.max_errors):
            self._scan(lo, hi)
        return True

    def _scan(self, lo: int, hi: int) -> None:
        """Add every local best approximate match ending in text[lo:hi]."""
        # Start early enough that a match ending at lo + 1 is seen whole.
        scan_lo = max(0, lo - self.m - self.max_errors)
        if any(a <= scan_lo and hi <= b for a, b in self.scanned):
            return
        self.scanned.append((scan_lo, hi))
        scores = _myers_scores(self.exact, self.text, scan_lo, hi)
        for end, errors in _local_minima(scores, scan_lo, self.max_errors):
            start, errors = _match_start(self.exact, self.text, end, errors)
            span = (start, end)
            if errors < self.found.get(span, errors + 1):
                self.found[span] = errors

    # scoring

    def candidate(self, start: int, end: int, errors: int) -> Candidate:
        """Score text[start:end], which is `errors` edits away from the quote."""
        quote = max(0.0, 1.0 - errors / self.m)
        prefix = _prefix_similarity(self.text, start, self.anchor.prefix, CONTEXT_SHIFT)
        suffix = _suffix_similarity(self.text, end, self.anchor.suffix, CONTEXT_SHIFT)
        position = 1.0 - min(1.0, abs(start - self.old_start) / max(self.n, 1))
        return _candidate(start, end, errors, quote, prefix, suffix, position, self.m)

    def rank(self) -> list[Candidate]:
        """Score the candidates found so far, best first (see `_rank_key`).

        A common word in a book has thousands of occurrences, so every candidate is first scored
        with fixed context windows (one edit distance per side). The shift-tolerant context
        score can only add CONTEXT_SHIFT edits per side, which bounds how far each can rise;
        candidates are refined in order of that bound until no remaining one could reach the
        best or come within the ambiguity margin (or REFINE_LIMIT were refined).
        """
        if len(self.found) <= 32:
            for (start, end), errors in self.found.items():
                if (start, end) not in self.refined:
                    self.refined[(start, end)] = self.candidate(start, end, errors)
            ranked = list(self.refined.values())
        else:
            self._rough_score_new()
            ranked = []
            best = -1.0
            for span, bound in sorted(self.rough.items(), key=lambda item: -item[1]):
                if bound < best - AMBIGUITY_MARGIN - _EPS or len(ranked) >= REFINE_LIMIT:
                    break
                c = self.refined.get(span)
                if c is None:
                    c = self.refined[span] = self.candidate(*span, self.found[span])
                ranked.append(c)
                best = max(best, c.score)
        ranked.sort(key=lambda c: _rank_key(c, self.old_start))
        return ranked

    def _rough_score_new(self) -> None:
        """Upper bounds of the scores of candidates not scored yet, from fixed windows."""
        from rapidfuzz.distance import Levenshtein

        text, n, old, m = self.text, self.n, self.old_start, self.m
        prefix, suffix = self.anchor.prefix, self.anchor.suffix
        lp, ls = len(prefix), len(suffix)
        # the most the shift-tolerant comparison can add to each side's similarity
        gain_p = CONTEXT_SHIFT / lp if lp else 0.0
        gain_s = CONTEXT_SHIFT / ls if ls else 0.0
        distance = Levenshtein.distance
        rough = self.rough
        for span, errors in self.found.items():
            if span in rough:
                continue
            start, end = span
            if lp:
                p = 1.0 - distance(prefix, text[max(0, start - lp) : start]) / lp
            else:
                p = 1.0 if start == 0 else EMPTY_CONTEXT
            if ls:
                s = 1.0 - distance(suffix, text[end : end + ls]) / ls
            else:
                s = 1.0 if end == n else EMPTY_CONTEXT
            bound = (
                W_QUOTE * max(0.0, 1.0 - errors / m)
                + W_PREFIX * min(1.0, max(0.0, p) + gain_p)
                + W_SUFFIX * min(1.0, max(0.0, s) + gain_s)
                + W_POSITION * (1.0 - min(1.0, abs(start - old) / max(n, 1)))
            ) / W_TOTAL
            rough[span] = bound


def _weighted(quote: float, prefix: float, suffix: float, position: float) -> float:
    total = W_QUOTE * quote + W_PREFIX * prefix + W_SUFFIX * suffix + W_POSITION * position
    return total / W_TOTAL


def _candidate(
    start: int,
    end: int,
    errors: int,
    quote: float,
    prefix: float,
    suffix: float,
    position: float,
    length: int,
) -> Candidate:
    score = _weighted(quote, prefix, suffix, position)
    accepted = (
        quote >= ACCEPT_QUOTE - _EPS
        and score >= ACCEPT_SCORE - _EPS
        and (length >= SHORT_QUOTE or max(prefix, suffix) >= SHORT_CONTEXT - _EPS)
    )
    return Candidate(start, end, errors, quote, prefix, suffix, position, score, accepted)


# --- context similarity ----------------------------------------------------------------------


def _prefix_similarity(text: str, start: int, stored: str, shift: int) -> float:
    """How well `stored` matches the text ending at `start` (aligned on its last character).

    1 - edits / len(stored), taking the best of windows up to `shift` code points longer or
    shorter, so an insertion or deletion right before the quote counts once, not twice.
    """
    from rapidfuzz.distance import Levenshtein

    if not stored:
        return 1.0 if start == 0 else EMPTY_CONTEXT
    size = len(stored)
    if text.endswith(stored, 0, start):
        return 1.0
    base = max(0, start - size)
    best = Levenshtein.distance(stored, text[base:start])
    # A window delta code points longer or shorter costs at least delta edits.
    for delta in range(1, min(shift, best - 1) + 1):
        lo = start - size - delta
        if lo >= 0:
            best = min(best, Levenshtein.distance(stored, text[lo:start], score_cutoff=best))
        lo = start - size + delta
        if base < lo < start:
            best = min(best, Levenshtein.distance(stored, text[lo:start], score_cutoff=best))
    return max(0.0, 1.0 - best / size)


def _suffix_similarity(text: str, end: int, stored: str, shift: int) -> float:
    """How well `stored` matches the text starting at `end` (aligned on its first character)."""
    from rapidfuzz.distance import Levenshtein

    if not stored:
        return 1.0 if end == len(text) else EMPTY_CONTEXT
    size = len(stored)
    if text.startswith(stored, end):
        return 1.0
    limit = min(len(text), end + size)
    best = Levenshtein.distance(stored, text[end:limit])
    for delta in range(1, min(shift, best - 1) + 1):
        hi = end + size + delta
        if hi <= len(text):
            best = min(best, Levenshtein.distance(stored, text[end:hi], score_cutoff=best))
        hi = end + size - delta
        if end < hi < limit:
            best = min(best, Levenshtein.distance(stored, text[end:hi], score_cutoff=best))
    return max(0.0, 1.0 - best / size)


# --- approximate search ----------------------------------------------------------------------


def _myers_scores(
    pattern: str, text: str, lo: int, hi: int, *, anchored: bool = False
) -> list[int]:
    """Edit distances of `pattern` against text ending at each of lo+1 .. hi.

    Myers' bit-parallel algorithm (Hyyro's formulation), one Python int of len(pattern) bits per
    column, so any pattern length works. Semi-global: the match may start anywhere at or after
    `lo`; with `anchored` it must start exactly at `lo`.
    """
    m = len(pattern)
    peq: dict[str, int] = {}
    for i, ch in enumerate(pattern):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    carry = 1 if anchored else 0
    pv, mv, score = mask, 0, m
    scores: list[int] = []
    append = scores.append
    get = peq.get
    for ch in text[lo:hi]:
        eq = get(ch, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = (ph << 1) | carry
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
        append(score)
    return scores


def _local_minima(scores: list[int], lo: int, max_errors: int) -> list[tuple[int, int]]:
    """(end, errors) at each local minimum of `scores` within the error bound.

    scores[i] is the distance for a match ending at lo + i + 1. A match is a V in the scores (a
    little worse one character earlier or later); its bottom is the end that fits best.
    """
    out: list[tuple[int, int]] = []
    last = len(scores) - 1
    for i, value in enumerate(scores):
        if value > max_errors:
            continue
        if i > 0 and scores[i - 1] <= value:
            continue
        # the first of a plateau, if the plateau then rises (or the scan ends)
        j = i
        while j < last and scores[j + 1] == value:
            j += 1
        if j == last or scores[j + 1] > value:
            out.append((lo + i + 1, value))
    return out


def _match_start(pattern: str, text: str, end: int, errors: int) -> tuple[int, int]:
    """Where the best match of `pattern` ending at `end` starts, and its errors.

    Runs the anchored search backwards from `end`; among equally good starts, the one whose
    length is closest to the pattern's wins, then the shorter.
    """
    m = len(pattern)
    lo = max(0, end - m - errors)
    back = text[lo:end][::-1]
    scores = _myers_scores(pattern[::-1], back, 0, len(back), anchored=True)
    best_len, best = m, None
    for length in range(max(1, m - errors), min(len(back), m + errors) + 1):
        value = scores[length - 1]
        key = (value, abs(length - m), length)
        if best is None or key < best:
            best, best_len = key, length
    if best is None:  # nothing before `end`: cannot happen for a real match end
        return end, m
    return end - best_len, best[0]


def _far_needles(anchor: Anchor) -> list[tuple[str, int, float]]:
    """What the whole-text filter looks for: (needle, its offset from the quote's start, the
    least similarity a block must reach to possibly hold an interesting match).

    A long enough quote is looked for alone, at FAR_MIN_QUOTE. A quote longer than FAR_PIECE
    is cut into pieces: the errors of a match spread over the pieces, so at least one piece is
    as similar as the whole. A short quote is only accepted with quote >= 0.9 and one side of
    context >= 0.8, so it is looked for together with each side of its context.
    """
    exact, prefix, suffix = anchor.exact, anchor.prefix, anchor.suffix
    m = len(exact)
    if m < SHORT_QUOTE:
        needles = []
        quote_errors = (1 - ACCEPT_QUOTE) * m
        for needle, offset, side in (
            (prefix + exact, -len(prefix), prefix),
            (exact + suffix, 0, suffix),
        ):
            if side:
                errors = quote_errors + (1 - SHORT_CONTEXT) * len(side)
                needles.append((needle, offset, 1 - errors / len(needle)))
        return needles
    if m <= FAR_PIECE:
        return [(exact, 0, FAR_MIN_QUOTE)]
    count = -(-m // FAR_PIECE)
    size = -(-m // count)
    pieces = [(exact[i : i + size], i, FAR_MIN_QUOTE) for i in range(0, m, size)]
    if len(pieces) > FAR_MAX_PIECES:
        # Evenly spaced pieces only: a match whose errors all fall on these pieces is missed.
        step = len(pieces) / FAR_MAX_PIECES
        pieces = [pieces[int(i * step)] for i in range(FAR_MAX_PIECES)]
    return pieces


def _far_regions(text: str, anchor: Anchor, max_errors: int) -> list[tuple[int, int]]:
    """Regions of `text` where a match worth scoring may end (see `_far_needles`).

    rapidfuzz's partial_ratio (the best Indel similarity of any window as long as the needle)
    is at least the Levenshtein similarity of a match inside the window, so a block scoring
    below a needle's least similarity holds no such match.
    """
    from rapidfuzz import fuzz

    m, n = len(anchor.exact), len(text)
    regions: list[tuple[int, int]] = []
    for needle, offset, least in _far_needles(anchor):
        size = len(needle)
        overlap = size + size // 2
        cutoff = 100.0 * least - 1e-6
        # where a match whose needle lies in a block may end, beyond the block's edges
        before, after = offset + size + max_errors, m - offset + size + 2 * max_errors
        for block in range(0, n, FAR_BLOCK):
            block_end = min(n, block + FAR_BLOCK + overlap)
            hit = fuzz.partial_ratio_alignment(needle, text[block:block_end], score_cutoff=cutoff)
            if hit is not None:
                regions.append((max(0, block - before), min(n, block_end + after)))
            if block_end == n:
                break
    return _merge(regions)


def _merge(regions: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for lo, hi in sorted(regions):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


# --- grapheme clusters -----------------------------------------------------------------------

# Extended_Pictographic, approximately (emoji-data.txt ranges merged; only used after a ZWJ).
_EXT_PICT = (
    (0x00A9, 0x00A9), (0x00AE, 0x00AE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x27BF),
    (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50), (0x2B55, 0x2B55),
    (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D), (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)  # fmt: skip
_EXT_PICT_STARTS = [lo for lo, _ in _EXT_PICT]
_PREPEND = frozenset(
    [*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x0D4E, 0x110BD, 0x110CD]
    + [0x111C2, 0x111C3, 0x1193F, 0x11941, 0x11A3A, *range(0x11A84, 0x11A8A), 0x11D46]
)
_ZWJ = "\u200d"


def _is_ext_pict(ch: str) -> bool:
    cp = ord(ch)
    i = bisect_left(_EXT_PICT_STARTS, cp + 1) - 1
    return i >= 0 and cp <= _EXT_PICT[i][1]


def _is_extend(ch: str) -> bool:
    """Grapheme_Extend or SpacingMark: never starts a cluster (GB9, GB9a)."""
    cp = ord(ch)
    if cp in (0x200C, 0x200D, 0xFF9E, 0xFF9F):
        return True
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:  # skin tones; tag sequences
        return True
    return unicodedata.category(ch) in ("Mn", "Me", "Mc")


def _is_control(ch: str) -> bool:
    cp = ord(ch)
    if cp in (0x200C, 0x200D) or 0xE0020 <= cp <= 0xE007F or cp in _PREPEND:
        return False
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cf")


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _hangul(ch: str) -> str:
    cp = ord(ch)
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


def is_grapheme_boundary(text: str, index: int) -> bool:
    """True when `index` falls between two grapheme clusters of `text` (UAX #29, extended).

    Implements the rules for CR LF, controls, Hangul syllables, extending and spacing marks,
    prepended marks, emoji ZWJ sequences and regional-indicator pairs; not the Indic conjunct
    rule of Unicode 15.1, so a conjunct joined by a virama may be split after the virama.
    """
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    if before == "\r" and after == "\n":
        return False
    if before in "\r\n" or after in "\r\n" or _is_control(before) or _is_control(after):
        return True
    h1, h2 = _hangul(before), _hangul(after)
    if h1 and h2:
        if h1 == "L" and h2 in ("L", "V", "LV", "LVT"):
            return False
        if h1 in ("LV", "V") and h2 in ("V", "T"):
            return False
        if h1 in ("LVT", "T") and h2 == "T":
            return False
    if _is_extend(after) or ord(before) in _PREPEND:
        return False
    if before == _ZWJ and _is_ext_pict(after):
        i = index - 2
        while i >= 0 and text[i] != _ZWJ and _is_extend(text[i]):
            i -= 1
        if i >= 0 and _is_ext_pict(text[i]):
            return False
    if _is_regional(before) and _is_regional(after):
        count = 0
        i = index - 1
        while i >= 0 and _is_regional(text[i]):
            count += 1
            i -= 1
        return count % 2 == 0
    return True


def snap_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `start..end` to whole grapheme clusters (clamped to the text; reversed spans swap)."""
    start, end = sorted((min(max(start, 0), len(text)), min(max(end, 0), len(text))))
    while start > 0 and not is_grapheme_boundary(text, start):
        start -= 1
    while end < len(text) and not is_grapheme_boundary(text, end):
        end += 1
    return start, end
