"""The relevance harness in CI: no figure may fall below floor.yaml, which only ever goes up."""

from __future__ import annotations

from tests.relevance.harness import below_floor, format_report, load_floor, run


def test_relevance_stays_at_or_above_its_floor() -> None:
    (report,) = run()
    floor = load_floor().get(report.corpus)
    assert floor, f"floor.yaml has no figures for the {report.corpus!r} corpus"
    assert "all" in floor and set(floor) <= set(report.figures())
    assert not below_floor(report), format_report(report, show=True)
