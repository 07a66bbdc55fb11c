"""python -m tests.relevance [--engine whoosh|tantivy] [--show] [--update-floor] [--steps]"""

from __future__ import annotations

import argparse
import sys
import time

from indexer.engines import ENGINES, default_engine
from tests.relevance.harness import below_floor, format_report, raise_floor, run

# Issue 6's points 1-4 in order, for --steps.
STEPS = ["compounds", "synonyms", "folding", "spelling"]


def main() -> None:
    parser = argparse.ArgumentParser(description="recall@5 and MRR per feature and in total")
    parser.add_argument("--show", action="store_true", help="List every query and its hits.")
    parser.add_argument(
        "--update-floor", action="store_true", help="Raise floor.yaml to these figures."
    )
    parser.add_argument(
        "--steps",
        action="store_true",
        help="Also report with issue 6's features added one at a time (none, +compounds, ...).",
    )
    parser.add_argument("--engine", choices=ENGINES, default=default_engine())
    args = parser.parse_args()
    started = time.perf_counter()
    steps = [frozenset(STEPS[:n]) for n in range(len(STEPS) + 1)] if args.steps else None
    reports = run(steps, engine=args.engine)
    for report in reports:
        print(format_report(report, show=args.show and report is reports[-1]))
    print(f"({time.perf_counter() - started:.1f} s)")
    report = reports[-1]
    if args.update_floor:
        raise_floor(report)
        print("floor.yaml raised to these figures where they were higher")
    problems = below_floor(report)
    for line in problems:
        print(f"below floor: {line}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
