"""`diarium review` through a real process: scripted answers on stdin become hand-set values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

NOTICE = "Information om parkering vid kommunhuset\n\nParkeringen stängs under sommaren.\n"
LETTER = (
    "Tjänsteskrivelse\n\nDatum: 2021-09-16\n\nSocialnämnden\n\nUppföljning av bistånd\n\n"
    "Förslag till beslut\n\nNämnden godkänner uppföljningen.\n"
)


def diarium(root: Path, *args: str, answers: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIARIUM_")}
    env["HOME"] = str(root.parent / "home")
    return subprocess.run(
        [sys.executable, "-m", "cli", "--archive", str(root), *args],
        input=answers,
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "notis.txt").write_text(NOTICE, encoding="utf-8")
    (folder / "skrivelse.txt").write_text(LETTER, encoding="utf-8")
    root = tmp_path / "arkiv"
    result = diarium(root, "ingest", str(folder), "--jobs", "1")
    assert result.returncode == 0, result.stderr
    return root


def _records(root: Path) -> dict[str, dict]:
    return {
        json.loads(p.read_text("utf-8"))["source"]: json.loads(p.read_text("utf-8"))
        for p in root.glob("documents/*/*/record.json")
    }


def test_json_lists_every_missing_value_with_its_context(archive: Path) -> None:
    result = diarium(archive, "review", "--json")
    assert result.returncode == 0, result.stderr
    gaps = json.loads(result.stdout)
    by_source = {(g["source"], g["field"]) for g in gaps}
    assert by_source == {
        ("notis.txt", "kind"),
        ("notis.txt", "date"),
        ("notis.txt", "municipality"),
        ("skrivelse.txt", "municipality"),
    }
    kind = next(g for g in gaps if g["field"] == "kind")
    assert kind["context"][0] == "Information om parkering vid kommunhuset"


def test_answers_are_written_as_hand_set_values(archive: Path) -> None:
    # notis.txt: kind, a bad date then a good one, municipality; skrivelse.txt: skipped.
    answers = "yttrande\n2021-13-01\n2021-03-04\nLekebergs kommun\n\n"
    result = diarium(archive, "review", answers=answers)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("saknas") == 4
    assert "Information om parkering vid kommunhuset" in result.stdout
    assert "ogiltigt värde" in result.stderr
    assert "3 värden satta för hand, 1 överhoppade." in result.stdout
    records = _records(archive)
    notice = records["notis.txt"]
    assert (notice["kind"], notice["date"], notice["year"]) == ("yttrande", "2021-03-04", 2021)
    assert notice["municipality"] == "Lekeberg"
    assert {"kind", "date", "municipality"} <= set(notice["manual"])
    assert notice["provenance"]["date"] == {"source": "hand"}
    letter = records["skrivelse.txt"]
    assert letter["municipality"] is None
    assert letter["provenance"]["date"]["source"] == "rule"
    # What is answered is no longer asked; the search index knows the new values.
    left = json.loads(diarium(archive, "review", "--json").stdout)
    assert [(g["source"], g["field"]) for g in left] == [("skrivelse.txt", "municipality")]
    found = diarium(archive, "search", "parkering", "--municipality", "Lekeberg", "--json")
    assert found.returncode == 0, found.stderr
    assert [h["id"] for h in json.loads(found.stdout)["hits"]] == [notice["id"]]
    shown = diarium(archive, "show", notice["id"])
    assert "2021-03-04  [för hand]" in shown.stdout
    assert "[regel:" in diarium(archive, "show", letter["id"]).stdout


def test_end_of_input_stops_the_review_and_keeps_what_was_answered(archive: Path) -> None:
    result = diarium(archive, "review", answers="protokoll\n")
    assert result.returncode == 0, result.stderr
    assert "1 värden satta för hand" in result.stdout
    assert "Traceback" not in result.stderr
    assert _records(archive)["notis.txt"]["kind"] == "protokoll"
