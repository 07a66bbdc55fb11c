"""Typos: a close spelling from the index's own vocabulary, for a query that finds (almost) nothing.

The index holds Snowball stems, not words, so a typed word is compared with a stem plus the
typed word's own ending: `bedömnigar` is `bedömnig` + `ar`, one edit from the stem `bedömning`,
and `bedömning` + `ar` = `bedömningar` stems back to `bedömning`, so that is the suggestion.
Only words of MIN_LETTERS letters or more are corrected, by at most one edit up to seven letters
and two from eight, and only towards a spelling that many more documents use. Engine-free: the
index passes in how to look terms up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from indexer import analysis

MIN_LETTERS = 5
LONG_WORD = 8  # from this length two edits are allowed
# A suggestion must be used by this many times more documents than the word as typed.
MORE_COMMON = 10
# A word in more documents than this is taken as spelled as meant (no vocabulary scan).
RARE = 2


@dataclass(frozen=True, order=True)
class Suggestion:
    """A close index term, and the typed word respelled with it (its ending kept).

    Snowball stems drop more than endings (`enheten` stems to `en`), so `spelled` is not always
    a word; the index prefers a word from a hit's text that has the term as its stem.
    """

    edits: int
    term: str
    spelled: str


def max_edits(word: str) -> int:
    return 2 if len(word) >= LONG_WORD else 1


def suggest(
    word: str,
    *,
    frequency: Callable[[str], int],
    candidates: Callable[[str], Iterable[str]],
) -> Suggestion | None:
    """A better spelling of a lower-cased query word, or None.

    `frequency(term)` is the number of documents with an index term; `candidates(prefix)` yields
    the index terms starting with prefix (looked up lazily: frequencies only for close ones).
    Edits are counted as optimal string alignment (a swap of two neighbouring letters is one
    edit). A typo in the very first letter is not looked for: that keeps the scan to one
    letter's share of the vocabulary. The fewest edits win, then the longest term (`bedömning`
    over `bedöm` for `bedömnigar`), then the most documents.
    """
    if len(word) < MIN_LETTERS or not word.isalpha():
        return None
    own = frequency(analysis.stem(word))
    if own > RARE:
        return None
    limit = max_edits(word)
    best: tuple[int, int, int, str, str] | None = None
    for term in candidates(word[0]):
        if len(term) > len(word) + limit:
            continue
        for cut in range(max(1, len(term) - limit), min(len(word), len(term) + limit) + 1):
            edits = OSA.distance(word[:cut], term, score_cutoff=limit)
            if edits > limit or edits == 0 or (best is not None and edits > best[0]):
                continue
            spelled = term + word[cut:]
            if analysis.stem(spelled) != term:
                continue
            documents = frequency(term)
            if documents <= own * MORE_COMMON:
                break
            key = (edits, -len(term), -documents, term, spelled)
            if best is None or key < best:
                best = key
    return Suggestion(best[0], best[3], best[4]) if best else None


def word_for(term: str, texts: Iterable[str]) -> str | None:
    """The most frequent word in texts whose stem is term (lower-cased), to show a suggestion.

    A Snowball Swedish stem is a prefix of its word, so only words starting with it are stemmed.
    """
    counts: dict[str, int] = {}
    pattern = re.compile(rf"(?<!\w){re.escape(term)}\w*", re.IGNORECASE)
    for text in texts:
        for match in pattern.finditer(text):
            word = match.group(0).lower()
            if word in counts or analysis.stem(word) == term:
                counts[word] = counts.get(word, 0) + 1
    return max(counts, key=lambda w: (counts[w], -len(w))) if counts else None
