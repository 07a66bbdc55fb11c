"""Facet counts by municipality, year and kind over the documents a query matched.

Counted per document (the index holds one Whoosh document per archived document) from
per-document value columns, which are read only when facets are asked for.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from whoosh.reading import IndexReader

FACETS = {"municipality": "municipality_name", "year": "year_name", "kind": "kind_name"}


def count(reader: IndexReader, docnums: Iterable[int]) -> dict[str, dict[str, int]]:
    """{facet: {value: documents}}, most first (years newest first); no value, not counted."""
    docnums = list(docnums)
    out: dict[str, dict[str, int]] = {}
    for name, column in FACETS.items():
        values = reader.column_reader(column)
        counts = Counter(values[d] for d in docnums)
        counts.pop(b"", None)
        if name == "year":  # a time line reads newest first
            ranked = sorted(counts.items(), reverse=True)
        else:
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        out[name] = {value.decode(): n for value, n in ranked}
    return out
