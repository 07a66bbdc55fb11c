"""`diarium case` and `indexer.cases`: a case's documents across kinds, and documents like them.

The archive is made of documents diarium writes from its own template examples, one case number
written four ways across four kinds and dates, a number with the same digits in another series,
a near copy of one of the case's documents under another number and a document on an unrelated
subject; the command runs as a real process.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from archive import Archive, DiariumError
from indexer.archive_sync import rebuild_from_archive
from indexer.cases import decision, find_case, same_case
from templates import find_kind, load_data, render
from tests.templates_helpers import EXAMPLES, REPO

# (example, case number as written, date): one case, four kinds, four ways to write the number.
CASE = [
    ("tjansteskrivelse", "KS 2023-730", "2023-03-01"),
    ("yttrande", "KS-2023-00730", "2023-02-10"),
    ("protokollsutdrag", "KS 2023/730", "2023-04-12"),
    ("svar-pa-revisionsrapport", "2023.0730 KS", "2023-05-02"),
]
IN_DATE_ORDER = ["yttrande", "tjänsteskrivelse", "protokollsutdrag", "svar på revisionsrapport"]
OTHERS = [
    ("tjansteskrivelse", "SN 2023-730", "2023-03-05"),  # same digits, another board's series
    ("verksamhetsuppfoljning", "AMN-2023-00096", "2023-06-09"),
]
UNRELATED = """Byggnadsnämnden

Bygglov för nybyggnad av förråd på fastigheten Sjöliden 4:12

Sökanden vill uppföra ett förråd om 28 kvadratmeter med sadeltak och träpanel. Detaljplanen
medger komplementbyggnader inom prickmarkerad mark. Grannarna har hörts utan erinran.
Strandskyddet berörs inte. Byggnadsnämnden beviljar bygglov med stöd av plan- och bygglagen.
"""


def _render(root: Path, slug: str, number: str, date: str, **changes: Any) -> Path:
    values = copy.deepcopy(load_data(EXAMPLES / f"{slug}.yaml"))
    values |= {"diarienummer": number, "datum": date} | changes
    for key in ("sammanträdesdatum", "justeringsdatum"):
        if key in values:
            values[key] = date
    out = root / "generated" / f"{slug}-{number.replace('/', '_').replace(' ', '_')}.docx"
    generated = render(find_kind(slug), values, out)
    Archive(root / "archive").store_generated(out, generated.metadata)
    return out


@pytest.fixture(scope="module")
def case_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("case")
    for slug, number, date in CASE + OTHERS:
        _render(root, slug, number, date)
    # The case's tjänsteskrivelse again under another number: the document most like the case.
    _render(root, "tjansteskrivelse", "KUN 2022/15", "2022-11-30", kommun="Lekebergs kommun")
    text = root / "bygglov.txt"
    text.write_text(UNRELATED, "utf-8")
    archive = Archive(root / "archive")
    assert not archive.ingest([text], municipality="Lekeberg", jobs=1).failed
    rebuild_from_archive(archive)
    return root / "archive"


def diarium(*args: str, archive: Path | None = None) -> subprocess.CompletedProcess[str]:
    """A real `diarium` process, isolated from the developer's archive and settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIARIUM_")}
    env["HOME"] = str(archive.parent if archive else REPO)
    cmd = [sys.executable, "-m", "cli", *args]
    if archive is not None:
        cmd[3:3] = ["--archive", str(archive)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, check=False)


def _case_json(archive: Path, *number: str, related: int = 5) -> dict[str, Any]:
    result = diarium("case", *number, "--json", "--related", str(related), archive=archive)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def ks_case(case_archive: Path) -> dict[str, Any]:
    """`diarium case KS 2023-730 --json --related 10`, run once for the tests that read it."""
    return _case_json(case_archive, "KS", "2023-730", related=10)


def test_a_case_lists_its_documents_across_kinds_in_date_order(
    case_archive: Path, ks_case: dict[str, Any]
) -> None:
    data = ks_case
    documents = data["documents"]
    assert [d["kind"] for d in documents] == IN_DATE_ORDER
    assert [d["date"] for d in documents] == sorted(d["date"] for d in documents)
    assert {d["case_number"] for d in documents} == {number for _, number, _ in CASE}
    assert "SN 2023-730" not in {d["case_number"] for d in documents}
    assert data["key"] == "ks-2023-730"
    archive = Archive(case_archive)
    for entry in documents:
        assert archive.get(entry["id"]).case_number == entry["case_number"]


def test_every_way_of_writing_the_number_finds_the_same_case(
    case_archive: Path, ks_case: dict[str, Any]
) -> None:
    expected = [d["id"] for d in ks_case["documents"]]
    assert len(expected) == 4
    for written in (["KS-2023-00730"], ["2023/0730", "ks"]):
        found = _case_json(case_archive, *written, related=0)["documents"]
        assert [d["id"] for d in found] == expected, written


def test_the_protokollsutdrag_shows_its_decision_not_the_proposal(ks_case: dict[str, Any]) -> None:
    data = ks_case
    extract = next(d for d in data["documents"] if d["kind"] == "protokollsutdrag")
    assert extract["decision"]["heading"] == "Beslut"
    assert "återrapportera arbetet till nämnden" in extract["decision"]["text"]
    letter = next(d for d in data["documents"] if d["kind"] == "tjänsteskrivelse")
    assert letter["decision"]["heading"] == "Förslag till beslut"
    assert "att godkänna uppföljningen" in letter["decision"]["text"]


def test_related_documents_are_like_the_case_and_leave_it_out(ks_case: dict[str, Any]) -> None:
    data = ks_case
    own = {d["id"] for d in data["documents"]}
    related = data["related"]
    assert related and not own & {hit["id"] for hit in related}
    assert len({hit["id"] for hit in related}) == len(related)
    # The two other tjänsteskrivelser with the case's text are the most like it; the bygglov is
    # not like it at all.
    assert {hit["case_number"] for hit in related[:2]} == {"KUN 2022/15", "SN 2023-730"}
    assert all("ygglov" not in (hit["title"] or "") for hit in related)
    assert all("<mark>" in hit["snippet"] for hit in related)


def test_the_text_output_is_swedish_and_names_each_document(
    case_archive: Path, ks_case: dict[str, Any]
) -> None:
    result = diarium("case", "KS 2023-730", archive=case_archive)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Ärende KS 2023-730: 4 dokument, äldst först")
    positions = [out.index(f"  {kind}\n") for kind in IN_DATE_ORDER]
    assert positions == sorted(positions)
    assert "   Beslut:\n     att anta förvaltningens yttrande" in out
    assert "Liknande dokument" in out and "KUN 2022/15" in out
    for doc in ks_case["documents"]:
        assert doc["id"] in out


def test_help_has_an_example() -> None:
    result = diarium("case", "--help")
    assert result.returncode == 0
    assert "diarium case KS 2023-730" in result.stdout and "--json" in result.stdout


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("KS 1999-1", "inget dokument har diarienummer 'KS 1999-1'"),
        ("Kommunstyrelsen", "är inget diarienummer"),
    ],
)
def test_a_number_without_documents_is_one_line_and_exit_1(
    case_archive: Path, number: str, fragment: str
) -> None:
    result = diarium("case", number, archive=case_archive)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("diarium: ") and fragment in lines[0]
    assert "Traceback" not in result.stderr and not result.stdout


def test_an_empty_archive_says_so(tmp_path: Path) -> None:
    result = diarium("case", "KS 2023-730", archive=tmp_path / "tomt")
    assert result.returncode == 1
    assert "has no documents" in result.stderr or "inga dokument" in result.stderr
    assert "Traceback" not in result.stderr


def test_what_the_caller_may_not_see_is_not_in_the_case_nor_related(case_archive: Path) -> None:
    archive = Archive(case_archive)
    full = find_case(archive, "KS 2023-730", related=10)
    hidden = {e.document.id for e in full.documents if e.document.kind == "protokollsutdrag"}
    hidden |= {full.related[0].id}

    def visible(document: Any) -> bool:
        return document.id not in hidden

    seen = find_case(archive, "KS 2023-730", related=10, visible=visible)
    assert len(seen.documents) == 3
    assert not hidden & {e.document.id for e in seen.documents}
    assert not hidden & {hit.id for hit in seen.related}


def test_the_archive_decides_not_a_lagging_index(case_archive: Path, tmp_path: Path) -> None:
    """A record changed after indexing (the index not told) leaves the case at once."""
    import shutil

    root = tmp_path / "archive"
    shutil.copytree(case_archive, root)
    archive = Archive(root)
    before = find_case(archive, "KS 2023-730", related=0).documents
    moved = before[0].document.id
    archive.update_record(moved, lambda record: record.update(case_number="KS 2023-731"))
    after = find_case(archive, "KS 2023-730", related=0).documents
    assert [e.document.id for e in after] == [e.document.id for e in before[1:]]


def test_same_case_compares_normalised_numbers() -> None:
    assert same_case("KS 2023-730", "KS-2023-00730")
    assert same_case("BUN 19/42", "BUN 19/0042")
    assert same_case("2023/730", "KS 2023-730")  # written without its series
    assert not same_case("KS 2023-730", "SN 2023-730")
    assert not same_case("KS 2023-730", "KS 2023-731")
    assert same_case("KS 2008/0229-00 och 2008/0230-04", "KS 2008-229-0")
    assert same_case("KS 2008/0230-04", "KS 2008/0229-00 och 2008/0230-04")
    assert not same_case("KS 2008/0229-00 och 2008/0230-04", "KS 2008/0231-04")
    with pytest.raises(DiariumError):
        find_case(Archive(REPO / "nowhere"), "KS")


def test_decision_prefers_the_decision_to_the_proposal() -> None:
    from archive import Document

    doc = Document(id="0" * 16, sha256="0" * 64, source="x.txt", format="txt")
    assert decision(doc) is None
    doc.sections = [
        {"heading": "Förslag till beslut", "text": "att föreslå"},
        {"heading": "Beslutsunderlag", "text": "Tjänsteskrivelse"},
        {"heading": "Kommunstyrelsens beslut", "text": "att besluta"},
    ]
    assert decision(doc) == {"heading": "Kommunstyrelsens beslut", "text": "att besluta"}
    doc.sections = doc.sections[:2]
    assert decision(doc) == {"heading": "Förslag till beslut", "text": "att föreslå"}


def test_real_documents_join_a_case_with_generated_ones(shared_dir: Path, tmp_path: Path) -> None:
    """The real tjänsteskrivelse 2021.004 KUN (a seed) between the board's protokollsutdrag and
    a later yttrande written `KUN 2021/4`, among the real seeds and labelled documents."""
    archive = Archive(tmp_path / "archive")
    real = sorted((shared_dir / "seeds").glob("*.txt"))
    real += sorted((shared_dir / "labelled" / "docs").rglob("*.txt"))
    assert not archive.ingest(real, jobs=1).failed
    _render(tmp_path, "protokollsutdrag", "2021.004 KUN", "2021-02-24")
    _render(tmp_path, "tjansteskrivelse", "KS 2008/230-4", "2008-04-02")
    data = copy.deepcopy(load_data(EXAMPLES / "yttrande.yaml"))
    data |= {"diarienummer": "KUN 2021/4", "datum": "2021-11-05"}
    data_file = tmp_path / "yttrande.json"
    data_file.write_text(json.dumps(data, ensure_ascii=False, default=str), "utf-8")
    filed = diarium(
        "generate", "yttrande", str(data_file), "-o", str(tmp_path / "y.docx"), "--file",
        archive=archive.root,
    )  # fmt: skip
    assert filed.returncode == 0, filed.stderr
    rebuild_from_archive(archive)

    found = _case_json(archive.root, "KUN", "2021-4")
    kinds = [(d["kind"], d["date"]) for d in found["documents"]]
    assert kinds == [
        ("protokollsutdrag", "2021-02-24"),
        ("tjänsteskrivelse", "2021-09-16"),
        ("yttrande", "2021-11-05"),
    ]
    seed = found["documents"][1]
    assert archive.get(seed["id"]).source == "000_07ab3b7abad0b89f.txt"
    # The real yttrande to the auditors on the same försörjningsstöd review is among the most
    # like the case; every related document is a real one outside it.
    related = [archive.get(hit["id"]).source for hit in found["related"]]
    assert "001_9ac84fee95ffe6b8.txt" in related[:3], related
    assert not {d["id"] for d in found["documents"]} & {hit["id"] for hit in found["related"]}

    # Gotland's regional board decided one matter filed under two numbers; a tjänsteskrivelse
    # under the second of them (written unpadded) is in the same case.
    pair = find_case(archive, "KS 2008/0230-04", related=0).documents
    assert [(e.document.kind, e.document.date) for e in pair] == [
        ("tjänsteskrivelse", "2008-04-02"),
        ("protokollsutdrag", "2008-05-29"),
    ]
    assert pair[1].document.case_number == "KS 2008/0229-00 och 2008/0230-04"
