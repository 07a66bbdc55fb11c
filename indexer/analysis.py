"""Swedish text analysis: the one definition of how text becomes index terms.

Used alike when indexing, when parsing queries and when highlighting, so a query's terms are
always the text's terms. Issue 6 extends it (compound parts, folded diacritics) by adding steps
to `analyze`; every change of output must bump ANALYSIS_VERSION so old indexes get rebuilt.

Written as one pass over a regex's matches rather than as a Whoosh analyser chain (tokenizer |
lower-case | stop | stem filters): the chain makes a Python generator hop per token and filter.
Measured on Göteborg's protocols (59,500 words), the chain took 1.7 µs a word and this 0.4 µs,
with identical output; on the 100,000-document benchmark that is 85 s of CPU per reindex.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import Stemmer

# Whoosh's default token shape: word characters, allowing inner dots ("2021.004", "t.ex").
# Python's \w is Unicode-aware, so å, ä, ö (and é, ü in names) stay inside words. Not written
# with possessive quantifiers: Python 3.11.2 (Debian 12's) then wrongly keeps a
# sentence's final dot inside the word ("kassan." instead of "kassan").
TOKEN_PATTERN = r"\w+(?:\.\w+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN)

# Longest token worth indexing: longer runs are base64, URLs glued together or table debris.
MAX_TOKEN_CHARS = 60

# Bump whenever the terms produced for a text change: an index built with another version must
# be rebuilt, or queries would be analysed differently from the text they search.
ANALYSIS_VERSION = 2  # 2: case numbers' shorter forms (query.case_keys), page furniture's words

# Stems already computed: Swedish text repeats its words, and a dict lookup is far cheaper than
# a call into the stemmer. Cleared when it grows past this many words.
_STEM_CACHE_LIMIT = 500_000
_stems: dict[str, str] = {}


@cache
def stop_words() -> frozenset[str]:
    """Snowball's Swedish stop words (package data; its header gives origin and licence)."""
    text = resources.files("indexer").joinpath("data/stopwords-sv.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@cache
def _stemmer() -> Stemmer.Stemmer:
    # PyStemmer wraps the current Snowball C code (Whoosh's bundled Swedish stemmer predates
    # Snowball's handling of "-et" and leaves "försörjningsstödet" unstemmed).
    return Stemmer.Stemmer("swedish")


def stem(word: str) -> str:
    """Snowball Swedish stem of one lower-cased word."""
    return _stemmer().stemWord(word)


def stem_words(words: list[str]) -> list[str]:
    """Stems of many lower-cased words, in order (one call into the C stemmer for the new ones)."""
    stems = _stems
    new = [w for w in set(words) if w not in stems]
    if new:
        if len(stems) + len(new) > _STEM_CACHE_LIMIT:
            # Emptying the cache also drops this call's words that were cached before.
            stems.clear()
            new = list(set(words))
        stems.update(zip(new, _stemmer().stemWords(new), strict=True))
    return [stems[w] for w in words]


def words(text: str) -> list[str]:
    """The lower-cased words of a text, stop words included."""
    return TOKEN_RE.findall(text.lower())


def analyze(text: str) -> list[str]:
    """Index terms of a text, in order: words lower-cased (å ä ö kept as the letters they are,
    so `får` and `far` stay apart), Swedish stop words dropped, Snowball-stemmed.

    Single letters are kept: "ö" and "å" are words. Positions are the terms' places in this list,
    so a phrase typed with or without "om"/"av" in the middle matches the same text.
    """
    return analyze_words(words(text))


# Each word's term, "" for a stop word or a token too long: indexing looks every word of a
# body up here with one map() in C instead of a filter, a cache check and a stem lookup each.
_terms: dict[str, str] = {}


def analyze_words(lowered: list[str]) -> list[str]:
    """analyze() of text already split by words() (the index splits each body once)."""
    terms = _terms
    try:
        return list(filter(None, map(terms.__getitem__, lowered)))
    except KeyError:
        pass
    if len(terms) > _STEM_CACHE_LIMIT:
        terms.clear()
    stops = stop_words()
    new = [w for w in set(lowered) if w not in terms]
    kept = [w for w in new if w not in stops and len(w) <= MAX_TOKEN_CHARS]
    terms.update(dict.fromkeys(new, ""))
    terms.update(zip(kept, stem_words(kept), strict=True))
    return list(filter(None, map(terms.__getitem__, lowered)))


def name_terms(text: str) -> list[str]:
    """Names of people: lower-cased words, no stop words dropped (a surname may be "Han")."""
    return [w for w in words(text) if len(w) <= MAX_TOKEN_CHARS]
