"""Query expansion for Swedish: compound parts, words typed without å ä ö, synonyms.

Rewrites a parsed query tree (indexer.query) so that each word typed also matches, with a lower
weight, what a person means by it:

- a word as a part of a compound in the text (`stöd` in `försörjningsstöd`), and a compound typed
  as its parts standing together inside a longer compound (`arbetsförmåga` in
  `arbetsförmågebedömning`), in the field of compound parts;
- a word typed without diacritics, in the folded field (`forsorjningsstod`);
- another name or an abbreviation from the synonyms data (`försörjningsstöd` ->
  "ekonomiskt bistånd", `AME` -> Arbetsmarknadsenheten), in the body.

The weights keep the order the issue asks for: the word as typed above a part, above a folded
match; the original term above its synonym. Quoted phrases and excluded words are left exactly
as typed. Engine-free: the index decides how a Variant is searched.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer import analysis, compounds, folding, synonyms
from indexer.query import And, CaseNumber, FieldMatch, Node, Not, Or, Range, Text, text_leaves
from indexer.synonyms import PHRASE_JOIN, Synonyms

SYNONYM_WEIGHT = 0.6
FOLDED_WEIGHT = 0.5
PART_WEIGHT = 0.3

BODY, PARTS, FOLDED = "body", "parts", "folded"
# The field of the synonyms data's expressions, each indexed as one term (see fields.py).
PHRASES = "phrases"
# A word in the title counts this much more than the same word in the body.
TITLE_BOOST = 3.0


@dataclass(frozen=True)
class Variant:
    """Another way to match a query word: terms in a field, weighted below the word as typed.

    Several terms (a synonym of more than one word) must stand next to each other in the body.
    """

    field: str  # BODY, PARTS or FOLDED
    terms: tuple[str, ...]
    weight: float
    shown: str  # for --explain: the synonym as written, else the terms


Expanded = Node | Variant


ALL_FIELDS = frozenset({PARTS, FOLDED})


def expand(
    node: Node | None, synonyms: Synonyms | None = None, *, fields: frozenset[str] = ALL_FIELDS
) -> Expanded | None:
    """The query with every word's variants beside it (as Or nodes).

    `fields`: which of PARTS and FOLDED a word is also looked up in (the search benchmark
    measures each feature alone); no synonyms without `synonyms`.
    """
    if node is None:
        return None
    return _expand(node, synonyms, fields)


def _expand(node: Node, synonyms: Synonyms | None, fields: frozenset[str]) -> Expanded:
    if isinstance(node, Text):
        return node if node.phrase else _run([node], synonyms, fields)[0]
    if isinstance(node, And):
        items: list[Expanded] = []
        run: list[Text] = []
        for item in node.items:
            if isinstance(item, Text) and not item.phrase:
                run.append(item)
                continue
            items += _run(run, synonyms, fields)
            run = []
            items.append(_expand(item, synonyms, fields))
        items += _run(run, synonyms, fields)
        return And(tuple(items)) if len(items) > 1 else items[0]  # type: ignore[arg-type]
    if isinstance(node, Or):
        return Or(tuple(_expand(item, synonyms, fields) for item in node.items))  # type: ignore[arg-type]
    if isinstance(node, Not | CaseNumber | FieldMatch | Range):
        return node
    raise TypeError(f"unknown query node {node!r}")


def _run(words: list[Text], synonyms: Synonyms | None, fields: frozenset[str]) -> list[Expanded]:
    """Consecutive plain words: synonyms may span several of them; each word gets its variants."""
    if not words:
        return []
    out: list[Expanded] = []
    matches = {m.start: m for m in synonyms.find([w.text for w in words])} if synonyms else {}
    i = 0
    while i < len(words):
        match = matches.get(i)
        if match is None:
            out.append(_word(words[i], fields))
            i += 1
            continue
        group = [_word(w, fields) for w in words[match.start : match.end]]
        original = group[0] if len(group) == 1 else And(tuple(group))  # type: ignore[arg-type]
        alternatives = [
            Variant(BODY, tuple(terms), SYNONYM_WEIGHT, alternative)
            for alternative in match.alternatives
            if (terms := analysis.analyze(alternative))
        ]
        out.append(Or((original, *alternatives)))  # type: ignore[arg-type]
        i = match.end
    return out


def _word(word: Text, fields: frozenset[str]) -> Expanded:
    """One typed word and its compound and diacritic variants."""
    terms = analysis.analyze(word.text)
    if len(terms) != 1:
        return word
    term = terms[0]
    lower = word.text.lower()
    variants: list[Variant] = []
    if PARTS in fields and len(lower) >= compounds.MIN_PART and lower.isalpha():
        variants.append(Variant(PARTS, (term,), PART_WEIGHT, term))
        parts = compounds.part_stems(lower)
        if parts:  # the parts standing together inside a longer compound: one term there
            joined = compounds.JOIN.join(parts)
            variants.append(Variant(PARTS, (joined,), PART_WEIGHT, joined))
    folds = FOLDED in fields and not word.text.isupper()  # not an abbreviation
    if folds and folding.wants_folding(lower):
        variants.append(Variant(FOLDED, (term,), FOLDED_WEIGHT, term))
    return Or((word, *variants)) if variants else word  # type: ignore[arg-type]


def variants(node: Expanded | None) -> list[Variant]:
    """Every variant in an expanded query (for scoring and highlighting)."""
    if isinstance(node, Variant):
        return [node]
    if isinstance(node, And | Or):
        return [v for item in node.items for v in variants(item)]  # type: ignore[arg-type]
    return []


def describe(node: Expanded | None) -> str:
    """The expanded query in the query language, each variant marked with its field and weight.

    `försörjningsstöd` -> `(försörjningsstöd OR parts:försörjning+stöd^0.3 OR
    "ekonomiskt bistånd"^0.6)`.
    """
    if node is None:
        return ""
    if isinstance(node, Variant):
        text = node.shown
        if node.field == BODY and " " in text:
            text = f'"{text}"'
        prefix = "" if node.field == BODY else f"{node.field}:"
        return f"{prefix}{text}^{node.weight:g}"
    if isinstance(node, Text):
        return f'"{node.text}"' if node.phrase else node.text
    if isinstance(node, CaseNumber):
        return node.text
    if isinstance(node, FieldMatch):
        value = f'"{node.value}"' if " " in node.value else node.value
        return f"{node.field}:{value}"
    if isinstance(node, Range):
        return f"{node.field}:{node.low or ''}..{node.high or ''}"
    if isinstance(node, Not):
        return f"-{describe(node.item)}"
    joiner = " OR " if isinstance(node, Or) else " "
    inner = joiner.join(describe(item) for item in node.items)  # type: ignore[arg-type]
    return f"({inner})"


def score_terms(node: Expanded | None) -> dict[tuple[str, str], float]:
    """What a document's score adds up, {(field, term): weight}, for every engine: the words as
    typed over the body, plus the title's share, and each variant of a word at its lower weight
    in its field.

    A variant of several terms stands for one thing (`ekonomiskt bistånd` for
    `försörjningsstöd`): an expression of the built-in data is scored as its one term in the
    `phrases` field, any other shares its weight out among its words.
    """
    weights: dict[tuple[str, str], float] = {}
    for leaf in text_leaves(node):  # type: ignore[arg-type]
        for term in analysis.analyze(leaf.text):
            weights[(BODY, term)] = 1.0
    for variant in variants(node):
        if synonyms.is_indexed_phrase(variant.terms):
            keys = [(PHRASES, PHRASE_JOIN.join(variant.terms))]
        else:
            keys = [(variant.field, term) for term in variant.terms]
        share = variant.weight / len(keys)
        for key in keys:
            weights[key] = max(weights.get(key, 0.0), share)
    titles = {("title", t): w * TITLE_BOOST for (f, t), w in weights.items() if f == BODY}
    return weights | titles
