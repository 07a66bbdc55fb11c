"""Filters that forgive and tell: any form of a name, a suggestion for a typo, the same
filtering in `list` and `search`, and a count of what an unknown value kept out."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import Archive
from archive.metadata.profiles import load
from archive.names import FilterError, board, kind, municipality, years
from cli.main import cli

DOCS = {
    "lekeberg.txt": "Lekebergs kommun\n\nTjänsteskrivelse\n\nDatum: 2021-09-16\n\nSocialnämnden\n\n"
    "Parkering vid skolan\n\nFörslag till beslut\n\nNämnden beslutar om parkering.\n",
    "goteborg.txt": "Göteborgs Stad\n\nYttrande\n\nDatum: 2019-03-01\n\nKommunstyrelsen\n\n"
    "Parkering i centrum\n\nFörslag till beslut\n\nStyrelsen yttrar sig om parkering.\n",
    "odaterad.txt": "Göteborgs Stad\n\nAnteckning om parkering\n\nParkeringen diskuterades.\n",
}


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("in")
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    archive_root = tmp_path_factory.mktemp("arkiv")
    report = Archive(archive_root).ingest([folder], jobs=1)
    assert len(report.added) == 3
    return archive_root


def run(root: Path, *args: str):
    return CliRunner().invoke(cli, ["--archive", str(root), *args])


def _sources(output: str) -> set[str]:
    return {d["source"] for d in json.loads(output)}


@pytest.mark.parametrize("typed", ["Lekebergs kommun", "Lekebergs", "lekeberg", "LEKEBERG"])
def test_a_municipality_in_any_form(typed: str) -> None:
    assert municipality(load(), typed) == "Lekeberg"


@pytest.mark.parametrize("typed", ["goteborg", "Göteborgs Stad", "göteborgs stad", "Goteborgs"])
def test_goteborg_in_any_form(typed: str) -> None:
    assert municipality(load(), typed) == "Göteborg"


def test_a_typo_is_named_with_a_suggestion() -> None:
    with pytest.raises(FilterError, match='ingen kommun heter "Lekebrg"; menade du Lekeberg\\?'):
        municipality(load(), "Lekebrg")
    with pytest.raises(FilterError, match='ingen dokumenttyp heter "yttrnade"; menade du yttrande'):
        kind("yttrnade")
    assert kind("tjansteskrivelse") == "tjänsteskrivelse"
    assert board(load(), "SN") == "Socialnämnden"
    assert board(load(), "socialnamnden") == "Socialnämnden"
    assert years("2021..2023") == (2021, 2023) and years("2021") == (2021, 2021)


def test_list_and_search_filter_alike(root: Path) -> None:
    for typed in ("lekeberg", "Lekebergs kommun"):
        listed = run(root, "list", "-m", typed, "--json")
        assert listed.exit_code == 0, listed.output
        assert _sources(listed.stdout) == {"lekeberg.txt"}
        found = run(root, "search", "parkering", "-m", typed, "--json")
        assert [h["source"] for h in json.loads(found.stdout)["hits"]] == ["lekeberg.txt"]
    listed = run(root, "list", "-m", "goteborg", "--year", "2018..2020", "--json")
    assert _sources(listed.stdout) == {"goteborg.txt"}
    assert "1 dokument utan känt år kom inte med" in listed.stderr
    found = run(
        root, "search", "parkering", "-m", "Göteborgs Stad", "--year", "2018..2020", "--json"
    )
    data = json.loads(found.stdout)
    assert [h["source"] for h in data["hits"]] == ["goteborg.txt"]
    assert data["unknown"] == {"year": 1}
    assert _sources(run(root, "list", "--board", "SN", "--json").stdout) == {"lekeberg.txt"}


def test_a_filter_naming_nothing_known_says_so(root: Path) -> None:
    for command in (["list"], ["search", "parkering"]):
        result = run(root, *command, "-m", "lekebrg")
        assert result.exit_code == 1
        assert 'ingen kommun heter "lekebrg"; menade du Lekeberg?' in result.output
    result = run(root, "list", "--kind", "yttrnade")
    assert result.exit_code == 1 and "menade du yttrande?" in result.output


def test_names_set_by_hand_are_known_from_the_catalogue_without_reading_a_record(
    tmp_path: Path,
) -> None:
    """A name the shipped data does not know counts when a document carries it; the catalogue
    says which they are (at a million documents, reading every record took minutes)."""
    letter = tmp_path / "brev.txt"
    letter.write_text(DOCS["lekeberg.txt"], encoding="utf-8")
    archive = Archive(tmp_path / "arkiv")
    hand = {"municipality": "Östra Provby", "board": "Nämnden för prov"}
    assert archive.ingest([letter], overrides=hand, jobs=1).added
    ids = [row["id"] for row in archive.listing()]
    for record in archive.documents_dir.glob("*/*/record.json"):
        record.write_text("inte JSON", encoding="utf-8")
    for args in (["-m", "ostra provby"], ["--board", "NÄMNDEN FÖR PROV"]):
        listed = run(archive.root, "list", *args, "--json")
        assert listed.exit_code == 0, listed.output
        assert [row["id"] for row in json.loads(listed.stdout)] == ids
    typo = run(archive.root, "list", "-m", "ostra provbu")
    assert typo.exit_code == 1 and "menade du Östra Provby?" in typo.output


def test_facets_count_unknown_year_and_municipality(root: Path) -> None:
    data = json.loads(run(root, "search", "parkering", "--facets", "--json").stdout)
    assert data["facets"]["year"]["okänt år"] == 1
    assert "okänd kommun" not in data["facets"]["municipality"]
    data = json.loads(run(root, "search", "parkering", "--kind", "yttrande", "--json").stdout)
    assert data["unknown"] == {"kind": 1}
