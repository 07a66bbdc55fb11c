"""Swedish text analysis shared by indexing, querying and highlighting.

The chain is a plain Whoosh analyser (tokenizer | filters) so that issue 6 can slot compound
splitting, synonyms and diacritic folding in as further filters. Whoosh pickles the analyser into
the index's TOC and into the job files of its multiprocess writer, so every piece here is
module-level and picklable; renaming anything here means existing indexes need `diarium reindex`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources

import Stemmer
from whoosh.analysis import Analyzer, LowercaseFilter, RegexTokenizer, StemFilter, StopFilter

# Whoosh's default token shape: word characters, allowing inner dots ("2021.004", "t.ex").
# Python's \w is Unicode-aware, so å, ä, ö (and é, ü in names) stay inside words.
TOKEN_PATTERN = r"\w+(?:\.?\w+)*"
TOKEN_RE = re.compile(TOKEN_PATTERN)

# Longest token worth indexing: longer runs are base64, URLs glued together or table debris.
MAX_TOKEN_CHARS = 60

# Bump whenever the tokens produced for a text change: an index built with another version must
# be rebuilt, or queries would be analysed differently from the text they search.
ANALYSIS_VERSION = 1


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
    """Snowball Swedish stem of one lower-cased word.

    Module-level on purpose: Whoosh pickles the StemFilter (and with it this function, by name)
    when it ships the analyser to its writer processes.
    """
    return _stemmer().stemWord(word)


def stem_words(words: list[str]) -> list[str]:
    """Stem many words in one call into the C stemmer (the highlighter's hot path)."""
    return _stemmer().stemWords(words)


def swedish_analyzer() -> Analyzer:
    """Tokenize, lower-case (å ä ö kept as themselves), drop stop words, Snowball-stem.

    Stop words are removed with renumbered positions so a phrase typed with or without
    "om"/"av" in the middle matches the same text. Single letters are kept: "ö" and "å" are words.
    """
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | StopFilter(stoplist=stop_words(), minsize=1, maxsize=MAX_TOKEN_CHARS)
        | StemFilter(stemfn=stem, cachesize=200_000)
    )


def words(text: str) -> list[str]:
    """The lower-cased words of a text as the tokenizer sees them, stop words included."""
    return [m.group(0).lower() for m in TOKEN_RE.finditer(text)]


def terms(text: str) -> list[str]:
    """The index terms a piece of query text turns into, in order (stop words removed)."""
    return [t.text for t in _query_analyzer()(text)]


@cache
def _query_analyzer() -> Analyzer:
    return swedish_analyzer()


def unique(items: Iterable[str]) -> Iterator[str]:
    """Items in first-seen order without repeats."""
    seen: set[str] = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            yield item
