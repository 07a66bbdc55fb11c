"""What issue 6's features cost a query: each one alone, all together, none, on one index.

    python -m tests.benchmarks.bench_language [--docs 20000] [--index DIR]

Builds (or, with --index naming an existing one, such as bench_search --keep DIR's DIR/whoosh,
reuses) a Whoosh index of the search benchmark's synthetic corpus (bench_search.generate, the
same documents for the same --docs) and runs bench_search's fixed queries, top 10 with
snippets and the exact total (5 interleaved rounds), with the features off, each feature
alone (compound parts, folding, synonyms, respelling) and all of them. Reports p50/p95,
their ratio to features off, and per query (median over rounds) the largest ratio and how
many queries are more than 1.5x slower. A second set is the same queries typed without å ä ö,
which only the folded field answers; it is reported against the queries as typed with the
features off. The issue's target: no feature makes a query more than 1.5x slower at 100,000
documents.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from indexer import Index
from indexer.folding import fold
from indexer.index import FEATURES
from indexer.synonyms import load_synonyms
from tests.benchmarks.bench_search import (
    QuerySpec,
    WhooshEngine,
    _p95,
    build_queries,
    build_vocabulary,
    generate,
)

ROUNDS = 5  # per-query medians of queries this short need more than three
LIMIT = 1.5  # the bound on how much slower a feature may make a query
CONFIGS: list[tuple[str, frozenset[str]]] = [
    ("off", frozenset()),
    *((name, frozenset({name})) for name in sorted(FEATURES)),
    ("all", FEATURES),
]


def timed(index: Index, queries: list[QuerySpec]) -> list[float]:
    """Milliseconds per query, as bench_search's Whoosh engine runs it."""
    engine = WhooshEngine(index.path)
    engine.ix = index
    out = []
    for q in queries:
        t0 = time.perf_counter()
        engine.search(q)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def with_diacritics(queries: list[QuerySpec]) -> list[tuple[QuerySpec, QuerySpec]]:
    """The queries with å ä ö in a word, each with the same query typed without them."""
    out = []
    for q in queries:
        text = " ".join(q.words) + (q.phrase or "")
        if fold(text) != text:
            words = [fold(w) for w in q.words]
            phrase = fold(q.phrase) if q.phrase else None
            out.append((q, QuerySpec(q.label, words, phrase, q.municipality, q.years)))
    return out


def _per_query(latencies: list[float], count: int) -> list[float]:
    """Each query's median over the rounds (the latencies are rounds of `count` queries)."""
    return [statistics.median(latencies[i::count]) for i in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--index", type=Path, help="Use (or build and keep) the index here.")
    args = parser.parse_args()
    folder = args.index or Path(tempfile.mkdtemp(prefix="bench-language-")) / "whoosh"
    if not Index(folder).exists():
        folder.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        WhooshEngine(folder).index(generate(build_vocabulary(), args.docs), args.docs)
        print(f"indexed {args.docs} documents in {time.perf_counter() - started:.1f} s")
    queries = build_queries()
    pairs = with_diacritics(queries)
    as_typed, typed_without = [p[0] for p in pairs], [p[1] for p in pairs]
    synonyms = load_synonyms()
    print(f"index: {folder}; {len(queries)} queries, {len(typed_without)} of them without å ä ö")
    indexes = {
        name: Index(folder, synonyms=synonyms, features=features) for name, features in CONFIGS
    }
    for index in indexes.values():  # first pass: each index's caches, the page cache
        timed(index, queries)
    # Rounds in turn, so drift of the machine falls on every configuration alike.
    latencies: dict[str, list[float]] = {name: [] for name in indexes}
    for _ in range(ROUNDS):
        for name, index in indexes.items():
            latencies[name] += timed(index, queries)
    results = {name: (statistics.median(ms), _p95(ms)) for name, ms in latencies.items()}
    per_query = {name: _per_query(ms, len(queries)) for name, ms in latencies.items()}
    base50, base95 = results["off"]
    print(
        f"{'features':<12}{'p50 ms':>9}{'p95 ms':>9}{'p50 x':>8}{'p95 x':>8}"
        f"{'worst query x':>15}{'queries over 1.5x':>19}"
    )
    for name, (p50, p95) in results.items():
        ratios = [a / b for a, b in zip(per_query[name], per_query["off"], strict=True)]
        worst = max(ratios)
        over = sum(r > LIMIT for r in ratios)
        print(
            f"{name:<12}{p50:>9.2f}{p95:>9.2f}{p50 / base50:>8.2f}{p95 / base95:>8.2f}"
            f"{worst:>15.2f}{over:>19}"
        )
    plain: list[float] = []
    without: list[float] = []
    for _ in range(ROUNDS):
        plain += timed(indexes["off"], as_typed)
        without += timed(indexes["all"], typed_without)
    for index in indexes.values():
        index.close()
    p50, p95 = statistics.median(without), _p95(without)
    print(
        f"typed without å ä ö, all features: p50 {p50:.2f} ms, p95 {p95:.2f} ms; "
        f"x{p50 / statistics.median(plain):.2f} / x{p95 / _p95(plain):.2f} of the same queries "
        "typed with them, features off"
    )


if __name__ == "__main__":
    main()
