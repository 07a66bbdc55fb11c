"""Search and privacy: no identity number in the index as text, `--personal` finds its documents,
secret-marked documents and pages only for someone cleared, and all of it after a reindex."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from archive import Archive
from cli.main import cli
from indexer.archive_sync import index_of
from tests.privacy_helpers import Planted, identity

pytestmark = pytest.mark.usefixtures("search_engine")

REPORT = (
    "goteborg/revision/"
    "Stadsrevisionens_rapportsammandrag_Granskning_av_arbetet_med_trygghet_och_studiero_.pdf"
)
ONLY_ON_PAGE_3 = "elevassistenter"
ONLY_ON_PAGE_1 = "revisorsgruppen"
# Words standing next to the planted numbers, and words of the real text around them.
QUERIES = [
    "Sökande",
    "medsökande",
    "Barn",
    "Förmyndare",
    "ekonomiskt bistånd",
    "personnummer",
    "kommun",
    "SN 2021",
    "beslut",
]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture()
def planted(archive_dir: Path, shared_dir: Path, tmp_path: Path) -> Planted:
    test = Planted(archive_dir, shared_dir, tmp_path)
    assert run("ingest", str(test.sources), "--jobs", "1").exit_code == 0
    return test


def by_source(archive: Path) -> dict[str, str]:
    return {d.source: d.id for d in Archive(archive).documents()}


def test_no_search_output_shows_a_number_and_personal_finds_each(planted: Planted) -> None:
    docs = by_source(planted.root)
    outputs = []
    variants = ([], ["--json"], ["--json", "--facets", "--explain", "--limit", "50"])
    for query in QUERIES:
        for extra in variants:
            result = run("search", query, *extra)
            assert result.exit_code == 0, result.output
            outputs.append((f"search {query} {extra}", result.output))
    for number in planted.numbers:  # a number is not found as text, in any form
        result = run("search", number, "--json")
        assert json.loads(result.output)["total"] == 0, number
        outputs.append((f"search {number}", result.output))
    for what, output in outputs:
        planted.assert_hidden(output, what)
    assert any("[personnummer]" in out for _, out in outputs)  # snippets show the mask

    rng = random.Random(5)
    for i, (source, written) in enumerate(planted.files.items()):
        for number in written:
            digits = identity_digits(number)
            sep = "+" if "+" in number else "-"  # YYMMDD-NNNN is someone under 100
            typed_as = [number, digits, f"{digits[2:8]}{sep}{digits[8:]}"] if i < 2 else [number]
            for typed in typed_as:
                result = run("search", "--personal", typed, "--json")
                assert result.exit_code == 0, result.output
                found = [hit["id"] for hit in json.loads(result.output)["hits"]]
                assert found == [docs[source]], (typed, source)
                planted.assert_hidden(result.output, f"search --personal {typed}")
    stranger = identity(rng, "long-hyphen")[0]
    assert json.loads(run("search", "--personal", stranger, "--json").output)["total"] == 0
    bad = run("search", "--personal", "19811218-9875")
    assert bad.exit_code == 1 and "inget giltigt personnummer" in bad.output


def identity_digits(number: str) -> str:
    from archive.privacy import identity_number

    checked = identity_number(number)
    assert checked is not None
    return checked[1]


def test_the_index_holds_no_number_as_a_term(planted: Planted) -> None:
    run("reindex")
    index = index_of(Archive(planted.root))
    with index._reading() as reader:  # every term of the body, whatever engine
        terms = set(reader.terms_from(""))
    index.close()
    assert len(terms) > 200
    for number in planted.numbers:
        digits = "".join(c for c in number if c.isdigit())
        assert not {digits, digits[:6], digits[:8], digits[2:8]} & terms, number


def test_a_real_process_prints_no_number(planted: Planted) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIARIUM_")}
    env["DIARIUM_ARCHIVE"] = str(planted.root)
    doc_id = by_source(planted.root)["uppfoljning-0.txt"]
    diarium = Path(sys.executable).with_name("diarium")
    for args in (["search", "Sökande", "--json"], ["show", doc_id, "--json", "--text"]):
        done = subprocess.run([str(diarium), *args], capture_output=True, text=True, env=env)
        assert done.returncode == 0, done.stderr
        planted.assert_hidden(done.stdout + done.stderr, " ".join(args))
        assert "[personnummer]" in done.stdout


def test_secret_documents_and_pages_only_for_the_cleared(
    planted: Planted, shared_dir: Path
) -> None:
    assert run("ingest", str(shared_dir / "corpus" / REPORT)).exit_code == 0
    docs = by_source(planted.root)
    report = docs[Path(REPORT).name]
    whole, paged = docs["uppfoljning-1.txt"], docs["uppfoljning-2.txt"]
    assert run("mark", whole, "--sekretess", "OSL 26:1").exit_code == 0
    assert run("mark", paged, "--sekretess", "OSL 26:1", "--pages", "1").exit_code == 0
    assert run("mark", report, "--sekretess", "OSL 26:1", "--pages", "3").exit_code == 0

    def check() -> None:
        index = index_of(Archive(planted.root))
        try:
            open_ = index.search("Sökande", facets=True, limit=50)
            cleared = index.search("Sökande", facets=True, limit=50, cleared=True)
            ids = {hit.id for hit in open_.hits}
            assert whole not in ids and paged not in ids and open_.total == 4
            assert sum(open_.facets["kind"].values()) == 4
            assert {whole, paged} <= {hit.id for hit in cleared.hits} and cleared.total == 6
            assert sum(cleared.facets["kind"].values()) == 6
            for hit in cleared.hits:
                if hit.id in (whole, paged):
                    assert "Sökande" not in hit.snippet  # a secret page is never shown
            assert index.search(ONLY_ON_PAGE_3).total == 0
            found = index.search(ONLY_ON_PAGE_3, cleared=True)
            assert [h.id for h in found.hits] == [report] and found.hits[0].page != 3
            page_one = index.search(ONLY_ON_PAGE_1)
            assert [h.id for h in page_one.hits] == [report] and page_one.hits[0].page == 1
            kind = Archive(planted.root).get(whole).kind
            listed = {h.id for h in index.search("", kind=kind, limit=50).hits}
            assert whole not in listed and paged in listed
        finally:
            index.close()

    check()
    result = run("search", "Sökande", "--json", "--limit", "50")
    assert json.loads(result.output)["total"] == 4
    result = run("search", "Sökande", "--json", "--limit", "50", "--cleared")
    assert json.loads(result.output)["total"] == 6
    assert run("reindex").exit_code == 0
    check()  # the marks live in the archive: a rebuilt index keeps them
    planted.assert_hidden(run("search", "Sökande", "--cleared", "--json").output, "cleared")
