"""The search words marked in a document's page text, as the snippets mark them: a word is
marked when its analysed form (stem) is one the query's words analyse to."""

from __future__ import annotations

import re
from functools import lru_cache
from html import escape  # what Django's escape() runs, without its lazy-string wrapper

from django.utils.safestring import SafeString, mark_safe

from indexer import analysis
from indexer.query import FIELDS, OPERATORS

_NAMES = "|".join(FIELDS)
_FIELD = re.compile(rf'(?<!\S)-?(?:{_NAMES}):(?:"[^"]*"|\S+)', re.IGNORECASE)


def query_terms(query: str) -> frozenset[str]:
    """The analysed words of the free text of a query (field:value parts and operators left
    out)."""
    text = _FIELD.sub(" ", query)
    words = [w for w in analysis.TOKEN_RE.findall(text) if w not in OPERATORS]
    return frozenset(analysis.analyze(" ".join(words)))


@lru_cache(maxsize=50_000)
def _terms_of(word: str) -> frozenset[str]:
    return frozenset(analysis.analyze(word))


def marked(text: str, terms: frozenset[str]) -> SafeString:
    """The text escaped for HTML with every word matching the terms in <mark>."""
    if not terms:
        return mark_safe(escape(text))
    out: list[str] = []
    last = 0
    for match in analysis.TOKEN_RE.finditer(text):
        if _terms_of(match.group()) & terms:
            out.append(escape(text[last : match.start()]))
            out.append(f"<mark>{escape(match.group())}</mark>")
            last = match.end()
    out.append(escape(text[last:]))
    return mark_safe("".join(out))


def snippet_html(snippet: str, highlights: list[tuple[int, int]]) -> SafeString:
    """A hit's snippet escaped for HTML with its highlighted words in <mark> (the snippet is
    document text: anything in it is text, never markup)."""
    out: list[str] = []
    last = 0
    for start, end in highlights:
        out += [escape(snippet[last:start]), f"<mark>{escape(snippet[start:end])}</mark>"]
        last = end
    out.append(escape(snippet[last:]))
    return mark_safe("".join(out))
