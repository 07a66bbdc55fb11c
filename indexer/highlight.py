"""Snippets: the one or two lines of a hit's best page with the query's words marked.

Hand-written instead of whoosh.highlight because Whoosh re-runs the full analyser (a Python
generator chain per token) over the whole stored text of every hit: 5.2 ms for a 2,600-word page
of a Göteborg protocol against 0.6 ms here, times ten hits a query. Here a C regex finds the few
words that can match (a Snowball Swedish stem is always a prefix of its word) and only those are
stemmed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from indexer import analysis

SNIPPET_CHARS = 200  # about two terminal lines
_LEAD_CHARS = 40  # context kept before the first marked word
_MAX_SCAN_CHARS = 200_000  # per page; a match further in is not worth the time
_MAX_MATCHES = 300  # per page, for choosing the window


@dataclass
class Snippet:
    page: int | None
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


@lru_cache(maxsize=256)
def _candidates(targets: frozenset[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(t) for t in sorted(targets, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?=(?:{alternatives}))" + analysis.TOKEN_PATTERN, re.IGNORECASE)


def _matches(text: str, targets: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word in text whose analysed form is a target term."""
    found = []
    for m in _candidates(targets).finditer(text):
        found.append(m)
        if len(found) >= _MAX_MATCHES:
            break
    if not found:
        return []
    lowered = [m.group(0).lower() for m in found]
    stops = analysis.stop_words()
    return [
        (m.start(), m.end(), s)
        for m, w, s in zip(found, lowered, analysis.stem_words(lowered), strict=True)
        if s in targets and w not in stops
    ]


def make_snippet(pages: list[tuple[int, str]], targets: frozenset[str]) -> Snippet:
    """The window of the page with the most different query terms (then the most matches)."""
    best: tuple[tuple[int, int], int, str, list[tuple[int, int, str]]] | None = None
    if targets:
        for number, text in pages:
            found = _matches(text[:_MAX_SCAN_CHARS], targets)
            if found:
                rank = (len({t for _, _, t in found}), len(found))
                if best is None or rank > best[0]:
                    best = (rank, number, text, found)
    if best is None:
        number, text = next(((n, t) for n, t in pages if t.strip()), (None, ""))
        return Snippet(number, _collapse(text[: SNIPPET_CHARS * 2])[:SNIPPET_CHARS].strip())
    _, number, text, found = best
    start = _best_window(found)
    # Start at the line's beginning when it is close, else a little before the first match.
    line_start = text.rfind("\n", 0, start) + 1
    begin = line_start if start - line_start <= _LEAD_CHARS else start - _LEAD_CHARS
    raw = text[begin : begin + SNIPPET_CHARS * 2]
    snippet = _collapse(raw)[:SNIPPET_CHARS]
    if begin > line_start:  # drop the broken word at the front
        snippet = snippet.split(" ", 1)[-1] if " " in snippet else snippet
    if len(snippet) == SNIPPET_CHARS and " " in snippet:
        snippet = snippet.rsplit(" ", 1)[0]  # and at the end
    snippet = snippet.strip()
    spans = [(s, e) for s, e, _ in _matches(snippet, targets)]
    return Snippet(number, snippet, spans)


def _best_window(found: list[tuple[int, int, str]]) -> int:
    """Start of the match opening the window with the most distinct terms, then most matches."""
    limit = SNIPPET_CHARS - _LEAD_CHARS
    counts: Counter[str] = Counter()
    best_rank, best_start = (-1, -1), found[0][0]
    j = 0
    for i, (start, _, term) in enumerate(found):
        while j < len(found) and (j <= i or found[j][1] - start <= limit):
            counts[found[j][2]] += 1
            j += 1
        rank = (len(counts), j - i)
        if rank > best_rank:
            best_rank, best_start = rank, start
        counts[term] -= 1
        if not counts[term]:
            del counts[term]
    return best_start


_SPACE = re.compile(r"\s+")


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text)
