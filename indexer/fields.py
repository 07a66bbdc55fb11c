"""What an index holds for a document: its fields, declared once, and how a document fills them.

Every engine (indexer/engines/) builds its own schema from FIELDS and indexes the values of
`analyse(doc)`; the analysis is diarium's own (Swedish stems, compound parts, folded forms,
indexed synonym phrases), so both engines hold the same terms and find the same documents.
A new field is one more `Field` here and one more value in `analyse`.

One index document per archived document (not per page): totals and facets then count
documents with no collapsing, and a query reads the fewest postings. The page a hit is on is
found by the highlighter in the stored page texts.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter, mul
from pathlib import PurePath
from typing import Any

from indexer import analysis, compounds, folding, synonyms
from indexer.model import IndexDoc
from indexer.query import case_keys

# Kinds of field; each engine says how it stores each kind.
TEXT = "text"  # analysed terms (a list, in order), scored
KEYWORDS = "keywords"  # exact keys to filter on (a list)
VALUE = "value"  # one exact value, for facet counts
DAY = "day"  # YYYYMMDD as a number, for the date order and date ranges

# BM25 parameters (engines that score by impacts use them; see engines/whoosh/schema.py).
BODY_PIVOT = 600.0
TITLE_PIVOT = 10.0
# About one body word in six is a compound and one in five has å, ä or ö: the pivots of the
# fields that hold only those scale down with them.
PARTS_PIVOT = 2 * BODY_PIVOT / 6
FOLDED_PIVOT = BODY_PIVOT / 5

_SUFFIXES = re.compile(r"\s+(kommun|stad|region|landsting)$")


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    pivot: float = BODY_PIVOT  # TEXT: the length BM25 takes as average (see schema.py)
    positions: bool = False  # TEXT: word order kept, for phrases
    # TEXT: the field whose length a term's weight is reckoned against (default: its own)
    length_of: str | None = None


FIELDS: tuple[Field, ...] = (
    # The body also carries title and metadata words, so "uppsala försörjningsstöd" matches a
    # document from Uppsala whose text never names the town; the title only adds score.
    Field("body", TEXT, positions=True),
    # Compound parts (`försörjning stöd` for `försörjningsstödet`, see compounds.part_terms)
    # and words with å ä ö as typed without them (issue 6).
    Field("parts", TEXT, PARTS_PIVOT),
    Field("folded", TEXT, FOLDED_PIVOT),
    # The synonyms data's expressions of several words, each as one term: an expression weighs
    # what a body word occurring as often would.
    Field("phrases", TEXT, length_of="body"),
    Field("title", TEXT, TITLE_PIVOT),
    Field("board", TEXT, TITLE_PIVOT),
    Field("department", TEXT, TITLE_PIVOT),
    Field("officer", TEXT, TITLE_PIVOT),
    Field("municipality", KEYWORDS),
    Field("kind", KEYWORDS),
    Field("case", KEYWORDS),
    Field("source", KEYWORDS),
    Field("date", VALUE),
    # Exact values for facet counts.
    Field("municipality_name", VALUE),
    Field("board_name", VALUE),
    Field("kind_name", VALUE),
    Field("year", VALUE),
    Field("day", DAY),
    # Privacy (archive.privacy): the text of secret-marked pages, matched only for someone
    # cleared and never stored for snippets; keyed tokens of the identity numbers in the text
    # (`search --personal`); "secret" for a document marked secret as a whole.
    Field("secret_body", TEXT),
    Field("personal", KEYWORDS),
    Field("access", KEYWORDS),
)
SECRET_BODY = "secret_body"
PERSONAL = "personal"
ACCESS = "access"
SECRET = "secret"
BY_NAME = {f.name: f for f in FIELDS}


@dataclass
class Analysed:
    """One document as every engine indexes it: `values` by field name (absent: no value),
    `hit` the metadata a hit shows and `pages` the page texts as JSON, both stored (each
    engine compresses what it stores its own way)."""

    id: str
    values: dict[str, Any]
    hit: dict[str, Any]
    pages: bytes
    chars: int  # of page text: engines size their write buffers by it


def key(value: str) -> str:
    """Lower-case, single spaces, no commas."""
    return " ".join(value.replace(",", " ").lower().split())


def municipality_keys(name: str) -> set[str]:
    """'Lekebergs kommun' is found as Lekebergs kommun, Lekebergs and Lekeberg."""
    full = key(name)
    bare = _SUFFIXES.sub("", full)
    return {full, bare, bare.removesuffix("s")} - {""}


def source_keys(source: str) -> set[str]:
    """A file is found by its name with and without the extension."""
    path = PurePath(source)
    return {key(path.name), key(path.stem)} - {""}


def _terms(analyse_text: Callable[[str], list[str]], text: str | None) -> list[str] | None:
    return analyse_text(text) if text else None


# Each word's compound part terms and folded term, worked out once per lexicon: a document
# repeats its words and an archive its vocabulary, and splitting a compound is the costliest
# step of the analysis (the search benchmark's profile: half of it before this cache).
_WORDS_LIMIT = 500_000
# word -> (its part terms, its folded term as a 0- or 1-tuple)
_words: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
_plain: set[str] = set()  # words with neither (most of them): skipped with one set operation
_words_lexicon: list[object] = [None]


def _parts_and_folded(words: list[str]) -> tuple[list[str], list[str]]:
    """compounds.parts_of and folding.folded_of of the words, from each distinct word once.

    Neither field keeps positions, so the terms come grouped by word, each as often as its
    word occurs, the words in alphabetical order (a set's order would differ between
    processes). Put together by map() and chain() in C: a loop in Python over each distinct
    word was a third of the whole analysis."""
    lexicon = compounds.default_lexicon()
    if _words_lexicon[0] is not lexicon or len(_words) + len(_plain) > _WORDS_LIMIT:
        _words.clear()
        _plain.clear()
        _words_lexicon[0] = lexicon
    known, plain = _words, _plain
    counts = Counter(words)
    found = sorted(set(counts).difference(plain))  # not keys() - plain: that walks `plain`
    infos = list(map(known.get, found))
    if None in infos:  # words not seen before
        for at, word in enumerate(found):
            if infos[at] is None:
                folded = folding.word_folded_term(word)
                info = (compounds.word_part_terms(word), () if folded is None else (folded,))
                if info == ((), ()):
                    plain.add(word)
                else:
                    known[word] = info
                infos[at] = info
    repeats = list(map(counts.__getitem__, found))
    parts = list(chain.from_iterable(map(mul, map(itemgetter(0), infos), repeats)))
    folded_terms = list(chain.from_iterable(map(mul, map(itemgetter(1), infos), repeats)))
    return parts, folded_terms


def analyse(doc: IndexDoc) -> Analysed:
    """The values of every field for one document (the one place a document becomes terms)."""
    meta = [
        doc.board,
        doc.department,
        *doc.officers,
        doc.municipality,
        doc.case_number,
        PurePath(doc.source).stem if doc.source else None,
    ]
    body = "\n".join(
        [doc.title or "", " ".join(m for m in meta if m), doc.furniture]
        + [text for _, text in doc.pages]
    )
    words = analysis.words(body)
    terms = analysis.analyze_words(words)
    parts, folded = _parts_and_folded(words)
    values: dict[str, Any] = {
        "body": terms,
        "parts": parts,
        "folded": folded,
        "phrases": synonyms.phrase_terms(terms),
        "title": _terms(analysis.analyze, doc.title),
        "board": _terms(analysis.analyze, doc.board),
        "department": _terms(analysis.analyze, doc.department),
        "officer": _terms(analysis.name_terms, "\n".join(doc.officers)),
    }
    if doc.municipality:
        values["municipality"] = sorted(municipality_keys(doc.municipality))
        values["municipality_name"] = doc.municipality
    if doc.board:
        values["board_name"] = doc.board
    if doc.kind:
        values["kind"] = [key(doc.kind)]
        values["kind_name"] = doc.kind
    if doc.case_number:
        values["case"] = case_keys(doc.case_number)
    if doc.source:
        values["source"] = sorted(source_keys(doc.source))
    if doc.secret_pages:
        values[SECRET_BODY] = analysis.analyze("\n".join(text for _, text in doc.secret_pages))
    if doc.personal:
        values[PERSONAL] = list(doc.personal)
    if doc.secret:
        values[ACCESS] = [SECRET]
    if doc.year is not None:
        values["year"] = str(doc.year)
    if doc.date:
        values["date"] = doc.date
        values["day"] = int(doc.date.replace("-", ""))
    elif doc.year is not None:
        values["day"] = doc.year * 10000
    hit = {
        "title": doc.title,
        "kind": doc.kind,
        "municipality": doc.municipality,
        "board": doc.board,
        "date": doc.date,
        "year": doc.year,
        "case_number": doc.case_number,
        "source": doc.source,
    }
    pages = json.dumps(doc.pages, ensure_ascii=False).encode()
    chars = sum(len(text) for _, text in doc.pages)
    values = {k: v for k, v in values.items() if v is not None}
    return Analysed(doc.id, values, hit, pages, chars)


def load_pages(blob: bytes) -> list[tuple[int, str]]:
    """Analysed.pages read back."""
    return [(number, text) for number, text in json.loads(blob)]
