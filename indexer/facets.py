"""Facet counts by municipality, board, year and kind: which facets there are and in what order.

Engine-neutral: an engine counts each facet's values over the documents a query matched (one
index document per archived document, so each is counted once); the order is decided here.
"""

from __future__ import annotations

from collections.abc import Iterable

from archive.names import fold

# Facet name -> the field (indexer/fields.py) holding each document's exact value.
FACETS = {
    "municipality": "municipality_name",
    "board": "board_name",
    "year": "year",
    "kind": "kind_name",
}
# What documents without a value are counted as, last in their facet.
UNKNOWN = {"municipality": "okänd kommun", "board": "okänd nämnd", "year": "okänt år"}


def ordered(
    counts: dict[str, dict[str, int]], total: int | None = None
) -> dict[str, dict[str, int]]:
    """{facet: {value: documents}}, most first (years newest first), then the documents
    without a value (`okänt år`, `okänd kommun`, `okänd nämnd`) when `total` says how many
    were matched."""
    out: dict[str, dict[str, int]] = {}
    for name in FACETS:
        found = {value: n for value, n in counts.get(name, {}).items() if n}
        missing = total - sum(found.values()) if total is not None else 0
        if name == "year":  # a time line reads newest first
            ranked = sorted(found.items(), reverse=True)
        else:
            ranked = sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))
        out[name] = dict(ranked)
        if name in UNKNOWN and missing > 0:
            out[name][UNKNOWN[name]] = missing
    return out


def chosen(value: str, stored: Iterable[str]) -> list[str]:
    """The stored values of a facet that a filter by `value` selects: the value itself when a
    document holds it, so a filter finds exactly the documents its facet count counted
    (`Socialnämnden` is not `Socialnämndens arbetsutskott`); else the values written like it
    but for case, accents and spacing (a board typed into the address by hand), as `list`
    compares them."""
    stored = list(stored)
    if value in stored:
        return [value]
    folded = fold(value)
    return [v for v in stored if fold(v) == folded]
