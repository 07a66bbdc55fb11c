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

from indexer import analysis, compounds, folding

SNIPPET_CHARS = 200  # about two terminal lines
_LEAD_CHARS = 40  # context kept before the first marked word
_MAX_SCAN_CHARS = 200_000  # per page; a match further in is not worth the time
_MAX_MATCHES = 300  # per page, for choosing the window


@dataclass(frozen=True)
class Targets:
    """What a snippet marks: body terms (the words as typed, synonyms) and, for issue 6's
    variants, terms of words typed without å ä ö and of compound parts."""

    words: frozenset[str]
    folded: frozenset[str] = frozenset()
    parts: frozenset[str] = frozenset()


@dataclass
class Snippet:
    page: int | None
    text: str
    highlights: list[tuple[int, int]] = field(default_factory=list)


@lru_cache(maxsize=256)
def _candidates(targets: frozenset[str]) -> re.Pattern[str]:
    # The bare alternatives, matched in lower-cased text: a pattern that opens with an
    # assertion (`(?<!\w)`) is tried at every position of the page, three times slower than
    # this one, which the regex engine scans for, and re.IGNORECASE costs a third more;
    # the word boundary is checked for the few places found.
    alternatives = "|".join(re.escape(t.lower()) for t in sorted(targets, key=len, reverse=True))
    return re.compile(alternatives)


def _lowered(text: str) -> str:
    """text.lower() with every character in its place (İ alone lowers to two characters)."""
    return text.replace("\u0130", "I").lower()


_WORD_CHAR = re.compile(r"\w")
_TOKEN = re.compile(analysis.TOKEN_PATTERN)


def _matches(text: str, targets: Targets) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word in text that one of the targets matches, in order."""
    lowered = _lowered(text) if targets.words or targets.folded else text
    found = _word_matches(lowered, targets.words) if targets.words else []
    if targets.folded:  # fold() maps a letter to a letter, so places in it are places in text
        found += _word_matches(folding.fold(lowered), targets.folded)
    if targets.parts:
        found += _part_matches(text, targets.parts)
    if not targets.folded and not targets.parts:
        return found
    return sorted({start: (start, end, term) for start, end, term in found}.values())


def _word_matches(lowered: str, targets: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word in lower-cased text whose analysed form is a target
    term: the words starting with a target (a Snowball Swedish stem is a prefix of its word),
    then stemmed."""
    found: list[tuple[int, int]] = []
    end = 0
    for m in _candidates(targets).finditer(lowered):
        start = m.start()
        if start < end or (start and _WORD_CHAR.match(lowered, start - 1)):
            continue  # inside a word
        token = _TOKEN.match(lowered, start)
        if token is None:  # not a word's start (a target is made of word characters)
            continue
        end = token.end()
        found.append((start, end))
        if len(found) >= _MAX_MATCHES:
            break
    if not found:
        return []
    words = [lowered[start:end] for start, end in found]
    stops = analysis.stop_words()
    return [
        (start, end, s)
        for (start, end), w, s in zip(found, words, analysis.stem_words(words), strict=True)
        if s in targets and w not in stops
    ]


@lru_cache(maxsize=256)
def _part_heads(parts: frozenset[str]) -> re.Pattern[str]:
    """Where a compound part can be: its stem (or a run's first stem) anywhere in a word."""
    heads = {term.split(compounds.JOIN)[0] for term in parts}
    return re.compile("|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True)), re.I)


def _part_matches(text: str, parts: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) of every compound in text with a target among its part terms."""
    found: dict[int, tuple[int, int, str]] = {}
    for m in _part_heads(parts).finditer(text):
        start, end = m.start(), m.end()
        while start and text[start - 1].isalpha():
            start -= 1
        while end < len(text) and text[end].isalpha():
            end += 1
        if start in found:
            continue
        hit = set(compounds.parts_of([text[start:end].lower()])) & parts
        if hit:
            found[start] = (start, end, min(hit))
            if len(found) >= _MAX_MATCHES:
                break
    return list(found.values())


def make_snippet(pages: list[tuple[int, str]], targets: Targets) -> Snippet:
    """The window of the page with the most different query terms (then the most matches).

    The words as typed are looked for first; words without å ä ö and compounds holding a
    query word only in a document that has none of them (it was found through those alone):
    they rank below, and looking for them in every page of every hit costs query time.
    """
    best = _best_page(pages, Targets(targets.words))
    if best is None and (targets.folded or targets.parts):
        best = _best_page(pages, targets)
    else:
        targets = Targets(targets.words)
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


def _best_page(
    pages: list[tuple[int, str]], targets: Targets
) -> tuple[tuple[int, int], int, str, list[tuple[int, int, str]]] | None:
    """(rank, number, text, matches) of the page with the most different terms, then matches."""
    best: tuple[tuple[int, int], int, str, list[tuple[int, int, str]]] | None = None
    for number, text in pages:
        found = _matches(text[:_MAX_SCAN_CHARS], targets)
        if found:
            rank = (len({t for _, _, t in found}), len(found))
            if best is None or rank > best[0]:
                best = (rank, number, text, found)
    return best


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
