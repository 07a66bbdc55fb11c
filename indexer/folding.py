"""Matching without å, ä and ö: a query typed on a keyboard without them still finds the words.

The body field keeps å, ä and ö as the letters they are (`får` and `far` are different words).
Beside it, a folded field holds, for each word that has a diacritic, the Snowball stem of the word
with its diacritics removed (`försörjningsstödet` -> `forsorjningsstod`). Words without diacritics
are not repeated there, which keeps that field a fraction of the body's size. A query word typed
without diacritics then also matches the folded field, with a lower weight than the as-typed
match, unless the lexicon knows it as a Swedish word as typed (`far`, `har`, `mal`): a word typed
correctly stays apart from its neighbour with diacritics.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from indexer import analysis, compounds


def _fold_table() -> dict[int, str]:
    """Latin letters with a diacritic mapped to their base letter (å ä ö é ü ... -> a a o e u)."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x250):
        char = chr(code)
        base = unicodedata.normalize("NFD", char)[0]
        if base != char and base.isascii() and base.isalpha():
            table[code] = base
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """The text with diacritics removed from Latin letters; everything else as it is."""
    return text.translate(_FOLD)


def has_diacritics(text: str) -> bool:
    return fold(text) != text


@lru_cache(maxsize=200_000)
def folded_term(word: str) -> str | None:
    """The folded field's term for a lower-cased word, or None when it has no diacritics."""
    folded = fold(word)
    return None if folded == word else analysis.stem(folded)


def wants_folding(word: str) -> bool:
    """Whether a lower-cased query word should also match words that have diacritics.

    Only a word typed without them, and not a Swedish word as typed: `forsorjningsstod` and
    `namnden` are folded, `far` (a word of its own) is not. Without the lexicon every word
    without diacritics is folded, ranked below its as-typed matches.
    """
    if has_diacritics(word) or not word.isalpha():
        return False
    lexicon = compounds.default_lexicon()
    return lexicon is None or not lexicon.knows(word)


def folded_terms(text: str) -> list[str]:
    """The folded field's terms of a text: its words with diacritics, folded and stemmed.

    Stop words (`för`, `på`, `är`) are left out as in the body; words in plain ASCII are left
    out because the body already has them as they are.
    """
    return folded_of(analysis.words(text))


def folded_of(words: Iterable[str]) -> list[str]:
    """folded_terms() of text already split into lower-cased words."""
    out: list[str] = []
    for word in words:
        term = word_folded_term(word)
        if term is not None:
            out.append(term)
    return out


def word_folded_term(word: str) -> str | None:
    """The folded field's term of one lower-cased word of a text (None: it adds none)."""
    if word.isascii() or word in analysis.stop_words():
        return None
    return folded_term(word)
