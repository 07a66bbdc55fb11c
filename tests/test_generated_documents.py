"""What `diarium generate --pdf --file` leaves behind, read back as a colleague would.

LibreOffice starts twice for the module: once for the filed document, once for one batch of
documents whose signature block falls at every offset around a page break.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import click
import pypdfium2 as pdfium
import pytest
import yaml
from click.testing import CliRunner

from archive import Archive
from cli.archive_cmds import COMMANDS as ARCHIVE_COMMANDS
from cli.generate import COMMANDS
from cli.main import Diarium
from cli.search import search
from indexer.archive_sync import index_of
from templates.pdf import to_pdf
from templates.render import render
from templates.schema import find_kind
from tests.templates_helpers import EXAMPLES, example, needs_libreoffice, pdf_pages

pytestmark = [pytest.mark.libreoffice, needs_libreoffice]


def diarium() -> click.Group:
    commands = {c.name: c for c in (*COMMANDS, *ARCHIVE_COMMANDS, search)}
    return Diarium(name="diarium", commands=commands)


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(diarium(), list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def filed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """One yttrande generated with --pdf --file under umask 022: (folder, data, archive)."""
    folder = tmp_path_factory.mktemp("generated")
    archive = tmp_path_factory.mktemp("arkiv")
    data = folder / "yttrande.yaml"
    data.write_bytes((EXAMPLES / "yttrande.yaml").read_bytes())
    old = os.umask(0o022)
    try:
        result = run(
            "generate", "yttrande", str(data), "-o", str(folder / "yttrande.docx"),
            "--pdf", "--file", "--archive", str(archive),
        )  # fmt: skip
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    return folder, data, archive


def test_the_pdf_can_be_read_by_others_like_the_docx(filed: tuple[Path, Path, Path]) -> None:
    folder, _, _ = filed
    modes = {p.suffix: stat.S_IMODE(p.stat().st_mode) for p in folder.glob("yttrande.*")}
    assert modes[".pdf"] == 0o644 and modes[".docx"] == 0o644


def test_the_filed_record_says_the_values_came_from_the_template(
    filed: tuple[Path, Path, Path],
) -> None:
    _, data, archive = filed
    (document,) = Archive(archive).documents()
    assert document.manual == []
    assert document.provenance["case_number"] == {
        "source": "template",
        "kind": "yttrande",
        "data": str(data.resolve()),
    }
    assert {"title", "date", "board", "municipality"} <= set(document.provenance)
    shown = run("show", document.id, "--archive", str(archive))
    assert "[mall]" in shown.output and "[för hand]" not in shown.output


def test_docx_and_pdf_are_one_document_with_two_renditions_found_once(
    filed: tuple[Path, Path, Path],
) -> None:
    folder, _, archive_dir = filed
    archive = Archive(archive_dir)
    (document,) = archive.documents()
    assert [r["format"] for r in document.renditions] == ["pdf", "docx"]
    docx = archive.original(document.id).parent / document.renditions[1]["file"]
    assert docx.read_bytes() == (folder / "yttrande.docx").read_bytes()
    index = index_of(archive)
    try:
        result = index.search(example("yttrande")["diarienummer"])
    finally:
        index.close()
    assert [hit.id for hit in result.hits] == [document.id]


def test_ingest_skips_the_data_beside_a_generated_document_and_names_it(
    filed: tuple[Path, Path, Path], tmp_path: Path
) -> None:
    folder, data, _ = filed
    result = run("ingest", str(folder), "--archive", str(tmp_path / "annat"), "--json")
    assert result.exit_code == 0, result.output
    report = yaml.safe_load(result.stdout)
    assert [s["path"] for s in report["skipped"]] == [str(data)]
    assert report["failed"] == []
    plain = run("ingest", str(folder), "--archive", str(tmp_path / "annat"))
    assert f"hoppade över  {data}: diariums data till yttrande.docx" in plain.stderr


def test_pdf_keywords_are_the_municipality_and_the_board(filed: tuple[Path, Path, Path]) -> None:
    folder, _, _ = filed
    pdf = pdfium.PdfDocument(str(folder / "yttrande.pdf"))
    keywords = pdf.get_metadata_dict()["Keywords"]
    pdf.close()
    assert keywords == "Alingsås kommun, Socialnämnden"


def test_list_bullets_are_u2022_in_the_pdf_text(filed: tuple[Path, Path, Path]) -> None:
    folder, _, _ = filed
    text = "".join(pdf_pages(folder / "yttrande.pdf"))
    assert "• Kommunens revisorer" in text
    assert not any("\ue000" <= c <= "\uf8ff" for c in text)


def test_the_signature_block_is_never_alone_at_the_top_of_a_page(tmp_path: Path) -> None:
    """Decision documents with 0..11 extra lines of background material: one of them puts the
    end of the document at every offset around the page break."""
    kind = find_kind("yttrande")
    base = example("yttrande")
    signer = base["underskrifter"][0]
    docs = []
    for extra in range(12):
        data = base | {
            "beslutsunderlag": [f"Bilaga {n}" for n in range(1, extra + 3)],
            "beslutet_skickas_till": ["Kommunens revisorer", "Kommunstyrelsen"],
        }
        docs.append(render(kind, data, tmp_path / f"y{extra}.docx").docx)
    breaks = 0
    for pdf in to_pdf(docs):
        pages = pdf_pages(pdf)
        (page,) = [p for p in pages if signer["namn"] in p]
        # What it signs comes with it: the recipients' heading and list, and the title.
        for line in ("Beslutet skickas till", "Kommunens revisorer", "Kommunstyrelsen"):
            assert line in page, (pdf.name, line)
        assert signer["titel"] in page
        breaks += len(pages) > 1 and page is not pages[0]
    assert breaks, "no document ran onto a second page; the test would prove nothing"
