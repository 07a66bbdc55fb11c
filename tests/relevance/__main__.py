"""python -m tests.relevance [--show] [--update-floor]"""

from __future__ import annotations

import argparse
import sys
import time

from tests.relevance.harness import below_floor, format_report, raise_floor, run


def main() -> None:
    parser = argparse.ArgumentParser(description="recall@5 and MRR per feature and in total")
    parser.add_argument("--show", action="store_true", help="List every query and its hits.")
    parser.add_argument(
        "--update-floor", action="store_true", help="Raise floor.yaml to these figures."
    )
    args = parser.parse_args()
    started = time.perf_counter()
    report = run()
    print(format_report(report, show=args.show))
    print(f"({time.perf_counter() - started:.1f} s)")
    if args.update_floor:
        raise_floor(report)
        print("floor.yaml raised to these figures where they were higher")
    problems = below_floor(report)
    for line in problems:
        print(f"below floor: {line}", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
