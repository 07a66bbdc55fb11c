"""`diarium search` and `diarium reindex` as a person and a script use them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from indexer.index import CURRENT
from templates import find_kind, load_data, render
from tests.indexer_helpers import EXAMPLES, damage, generated_archive

# The contract suite: every test here runs on each search engine (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("search_engine")

HIT_KEYS = {
    "id",
    "score",
    "title",
    "kind",
    "municipality",
    "board",
    "date",
    "year",
    "case_number",
    "source",
    "page",
    "snippet",
    "ocr",
}


def run(*args: str, color: bool = False) -> Result:
    return CliRunner().invoke(cli, list(args), color=color)


@pytest.fixture()
def filled(archive_dir: Path) -> Path:
    generated_archive(archive_dir.parent)
    return archive_dir


def _one_line_error(result: Result, *fragments: str) -> None:
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("diarium: "), result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_json_is_the_documented_contract(filled: Path) -> None:
    result = run("search", "försörjningsstöd", "--facets", "--json", "--limit", "3")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) == {"query", "total", "hits", "facets", "corrected", "unknown"}
    assert data["corrected"] is None
    assert data["query"] == "försörjningsstöd" and data["total"] >= len(data["hits"]) == 3
    assert all(set(hit) == HIT_KEYS for hit in data["hits"])
    assert all("<mark>" in hit["snippet"] and hit["page"] == 1 for hit in data["hits"])
    assert set(data["facets"]) == {"municipality", "board", "year", "kind"}
    assert sum(data["facets"]["kind"].values()) == data["total"]
    for hit in data["hits"]:  # the ids search prints are the ids show takes
        shown = run("show", hit["id"], "--json")
        assert shown.exit_code == 0 and json.loads(shown.output)["id"] == hit["id"]


def test_a_person_gets_ranked_hits_with_marked_words_and_the_total(filled: Path) -> None:
    result = run(
        "search", "ekonomiskt", "bistånd", "-m", "Uppsala", "--year", "2019..2023", color=True
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("\x1b[1m1. Verksamhetsuppföljning ekonomiskt bistånd")
    assert "Uppsala · Arbetsmarknadsnämnden" in out and "sida 1: " in out
    assert "\x1b[33m\x1b[1mbistånd\x1b[0m" in out  # the matched word, in colour
    # Three say `ekonomiskt bistånd`; three more say its synonym `försörjningsstöd` (issue 6).
    assert out.rstrip().endswith("6 dokument matchar; visar 1–6")
    plain = run("search", "ekonomiskt bistånd", "-m", "Uppsala", "--facets")
    assert "\x1b[" not in plain.output
    assert "kommun: Uppsala 6" in plain.output and "dokumenttyp: " in plain.output
    nothing = run("search", "skyfallshantering")
    assert nothing.exit_code == 0 and "Inga dokument matchar 'skyfallshantering'" in nothing.output


def test_filters_and_fields_reach_the_index(filled: Path) -> None:
    def total(*args: str) -> int:
        result = run("search", *args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["total"]

    assert total("försörjningsstöd") > total("försörjningsstöd", "--kind", "yttrande") > 0
    assert total("kind:yttrande") == total("--kind", "yttrande") == 3
    assert total("nämnd", "--from", "2021-01-01", "--to", "2021-12-31") == total(
        "nämnd", "--year", "2021"
    )
    assert total("KS 2019-730") == 5  # typed without the zeros of KS-2019-00730
    assert total("--board", "socialnämnden") == 3
    dated = json.loads(run("search", "nämnd", "--sort", "date", "--json", "--limit", "50").output)
    dates = [hit["date"] for hit in dated["hits"]]
    assert dates == sorted(dates, reverse=True)


def test_what_a_user_can_get_wrong_is_one_line(filled: Path) -> None:
    _one_line_error(run("search", '"ekonomiskt bistånd'), "avslutande citattecken")
    _one_line_error(run("search", "dnr:123"), "okänt fält 'dnr:'")
    _one_line_error(run("search", "och"), "stoppord")
    _one_line_error(run("search", "nämnd", "--from", "2021-13"), "är inte ÅÅÅÅ, ÅÅÅÅ-MM")
    _one_line_error(run("search", "nämnd", "--year", "tjugo"), "inget fyrsiffrigt år")
    assert run("search", "nämnd", "--sort", "age").exit_code == 2  # a usage error


def test_an_empty_or_missing_archive_says_so(archive_dir: Path) -> None:
    _one_line_error(run("search", "bistånd"), "har inga dokument", "diarium ingest")
    _one_line_error(run("reindex"), "det finns inget arkiv")


def test_reindex_rebuilds_a_missing_or_damaged_index(filled: Path, search_engine: str) -> None:
    before = json.loads(run("search", "nämnd", "--json").output)
    shutil.rmtree(filled / "index")
    # The index is derived: the first search of an archive without one builds it.
    assert json.loads(run("search", "nämnd", "--json").output) == before
    shutil.rmtree(filled / "index")
    result = run("reindex")
    assert result.exit_code == 0 and "indexerade 15 dokument" in result.output
    assert json.loads(run("search", "nämnd", "--json").output) == before
    generation = filled / "index" / (filled / "index" / CURRENT).read_text()
    damage(generation, search_engine, "toc")
    _one_line_error(run("search", "nämnd"), "diarium reindex")
    assert run("reindex").exit_code == 0
    assert json.loads(run("search", "nämnd", "--json").output) == before


def test_ingest_and_remove_keep_the_index_current(filled: Path, tmp_path: Path) -> None:
    data = load_data(EXAMPLES / "yttrande.yaml") | {
        "kommun": "Kungsbacka kommun",
        "datum": "2025-02-03",
        "rubrik": "Yttrande om skyfallshantering i Kungsbacka",
    }
    new = render(find_kind("yttrande"), data, tmp_path / "kungsbacka.docx").docx
    assert run("ingest", str(new)).exit_code == 0
    found = json.loads(run("search", "skyfallshantering", "--json").output)
    assert found["total"] == 1 and found["hits"][0]["municipality"] == "Kungsbacka"
    assert run("remove", found["hits"][0]["id"], "--yes").exit_code == 0
    assert json.loads(run("search", "skyfallshantering", "--json").output)["total"] == 0
