"""The relevance harness in CI: no figure may fall below floor.yaml, which only ever goes up.

Run on each search engine against that engine's own floor (tests/conftest.py)."""

from __future__ import annotations

from tests.relevance.harness import FIGURES, below_floor, floor_of, format_report, run


def test_relevance_stays_at_or_above_its_floor(search_engine: str) -> None:
    (report,) = run(engine=search_engine)
    floor = floor_of(report)
    assert floor, f"floor.yaml has no figures for {search_engine} on the {report.corpus!r} corpus"
    assert "all" in floor and set(floor) <= set(report.figures())
    assert all(set(figures) == set(FIGURES) for figures in floor.values())  # queries counted
    assert not below_floor(report), format_report(report, show=True)
