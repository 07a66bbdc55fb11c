"""Facet counts by municipality, year and kind over the documents a query matched.

Counted per document (one Whoosh document per archived document) by intersecting the matches
with each value's documents; those masks are read once per open index and kept.
"""

from __future__ import annotations

import numpy as np

from indexer.searching import Mask, QueryRunner

# Facet name -> the field holding each document's exact value.
FACETS = {"municipality": "municipality_name", "year": "year", "kind": "kind_name"}


def count(runner: QueryRunner, matched: Mask) -> dict[str, dict[str, int]]:
    """{facet: {value: documents}}, most first (years newest first); no value, not counted."""
    out: dict[str, dict[str, int]] = {}
    for name, field in FACETS.items():
        counts = {}
        for value in runner.terms_of(field):
            n = int(np.count_nonzero(runner.mask(field, value) & matched))
            if n:
                counts[value] = n
        if name == "year":  # a time line reads newest first
            ranked = sorted(counts.items(), reverse=True)
        else:
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[name] = dict(ranked)
    return out
