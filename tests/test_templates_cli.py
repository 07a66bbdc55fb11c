"""`diarium generate`, `new` and `templates`, run through Click as a user runs them."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner
from docx import Document

from cli.generate import COMMANDS
from cli.main import Diarium
from tests.templates_helpers import (
    EXAMPLES,
    docx_text,
    edit_template,
    example,
    kind_copy,
    paragraph_with,
)


@pytest.fixture()
def diarium() -> click.Group:
    """The commands under the real top-level group's error handling (one line, exit code 1)."""
    return Diarium(name="diarium", commands={c.name: c for c in COMMANDS})


def run(diarium: click.Group, *args: str, input: str | None = None):  # noqa: ANN201
    return CliRunner().invoke(diarium, list(args), input=input, catch_exceptions=False)


def test_generate_writes_the_document(diarium: click.Group, tmp_path: Path) -> None:
    target = tmp_path / "ut" / "skrivelse.docx"
    result = run(
        diarium, "generate", "tjänsteskrivelse", str(EXAMPLES / "tjansteskrivelse.yaml"),
        "-o", str(target),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == f"skrev {target}\n"
    assert example("tjansteskrivelse")["rubrik"] in docx_text(target)


def test_generate_names_the_file_after_date_kind_and_case_number(
    diarium: click.Group, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(diarium, "generate", "yttrande", str(EXAMPLES / "yttrande.yaml"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "2021-08-15 yttrande 2021.112 SN.docx").is_file()


def test_generate_reads_json(diarium: click.Group, tmp_path: Path) -> None:
    data = tmp_path / "ärende.json"
    data.write_text(json.dumps(example("yttrande"), default=str), encoding="utf-8")
    result = run(diarium, "generate", "yttrande", str(data), "-o", str(tmp_path / "y.docx"))
    assert result.exit_code == 0, result.output
    assert "Kommunens revisorer" in docx_text(tmp_path / "y.docx")


def test_generate_refuses_with_every_problem_on_its_own_line(
    diarium: click.Group, tmp_path: Path
) -> None:
    data = example("svar-pa-revisionsrapport")
    data["datum"] = "den 18 oktober"
    data["förslag_till_beslut"] = []
    data["rekommendationer"][1]["svar"] = ""
    del data["nämnd"]
    path = tmp_path / "svar.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "svar.docx"
    result = run(diarium, "generate", "svar-pa-revisionsrapport", str(path), "-o", str(target))
    assert result.exit_code == 1
    line = path.read_text(encoding="utf-8").splitlines().index("datum: den 18 oktober") + 1
    assert result.stderr.splitlines() == [
        f"diarium: {path}: nämnd: obligatoriskt fält saknas",
        f"diarium: {path}: datum (rad {line}): inget datum: 'den 18 oktober' (skriv ÅÅÅÅ-MM-DD)",
        f"diarium: {path}: förslag_till_beslut: obligatoriskt fält är tomt",
        f"diarium: {path}: rekommendationer[2].svar: obligatoriskt fält är tomt",
    ]
    assert list(tmp_path.iterdir()) == [path]


def test_an_impossible_date_in_yaml_is_a_field_problem(
    diarium: click.Group, tmp_path: Path
) -> None:
    path = tmp_path / "data.yaml"
    text = (EXAMPLES / "yttrande.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace("datum: 2021-08-15", "datum: 2021-02-30"), encoding="utf-8")
    result = run(diarium, "generate", "yttrande", str(path), "-o", str(tmp_path / "y.docx"))
    assert result.exit_code == 1
    line = path.read_text(encoding="utf-8").splitlines().index("datum: 2021-02-30") + 1
    expected = f"diarium: {path}: datum (rad {line}): inget datum: '2021-02-30' (skriv ÅÅÅÅ-MM-DD)"
    assert result.stderr == expected + "\n"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("rubrik: [ej stängd", "ogiltig YAML"),
        ("- bara\n- en lista\n", "måste vara en mappning fält: värde"),
    ],
)
def test_a_broken_data_file_is_one_line(
    diarium: click.Group, tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "data.yaml"
    path.write_text(content, encoding="utf-8")
    result = run(diarium, "generate", "yttrande", str(path))
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"diarium: {path}: ") and reason in line


def test_an_unknown_kind_is_one_line(diarium: click.Group) -> None:
    result = run(diarium, "generate", "skrivelse", str(EXAMPLES / "yttrande.yaml"))
    assert result.exit_code == 1
    assert result.stderr.startswith("diarium: okänd dokumenttyp 'skrivelse' (använd någon av: ")


def test_pdf_without_libreoffice_says_so_and_writes_nothing(
    diarium: click.Group, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("DIARIUM_SOFFICE", raising=False)
    target = tmp_path / "y.docx"
    result = run(diarium, "generate", "yttrande", str(EXAMPLES / "yttrande.yaml"),
                 "-o", str(target), "--pdf")  # fmt: skip
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("diarium: LibreOffice är inte installerat, och --pdf behöver det")
    assert not target.exists()


def _municipality_folder(tmp_path: Path) -> Path:
    folder = kind_copy(tmp_path, "yttrande")
    edit_template(folder, lambda doc: setattr(paragraph_with(doc, "Yttrande"), "text", "Remissvar"))
    return folder.parent


def test_templates_option_and_archive_setting_choose_a_municipalitys_copy(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    own = _municipality_folder(tmp_path)
    data = str(EXAMPLES / "yttrande.yaml")
    result = run(diarium, "generate", "yttrande", data, "-o", str(tmp_path / "a.docx"),
                 "--templates", str(own))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Remissvar" in docx_text(tmp_path / "a.docx")
    archive_dir.mkdir(parents=True)
    (archive_dir / "settings.yaml").write_text(f"templates: {own}\n", encoding="utf-8")
    result = run(diarium, "generate", "yttrande", data, "-o", str(tmp_path / "b.docx"))
    assert result.exit_code == 0, result.output
    assert "Remissvar" in docx_text(tmp_path / "b.docx")


def test_templates_list_and_show(diarium: click.Group) -> None:
    listed = run(diarium, "templates", "list")
    assert listed.exit_code == 0
    assert [line.split()[0] for line in listed.output.splitlines()] == sorted(
        ["tjansteskrivelse", "yttrande", "svar-pa-revisionsrapport", "verksamhetsuppfoljning",
         "protokollsutdrag"]
    )  # fmt: skip
    shown = run(diarium, "templates", "show", "svar på revisionsrapport")
    assert shown.exit_code == 0
    assert "rekommendationer  (list, obligatoriskt)" in shown.output
    assert "\n    åtgärd  (textblock, obligatoriskt)\n" in shown.output
    assert "Nämndens svar på rekommendationen." in shown.output
    as_json = json.loads(run(diarium, "templates", "show", "protokollsutdrag", "--json").output)
    fields = {f["name"]: f for f in as_json["fields"]}
    assert fields["paragraf"]["required"] and fields["sammanträdesdatum"]["type"] == "date"
    assert as_json["kind"] == "protokollsutdrag"


def test_templates_init_copies_and_keeps_what_is_there(
    diarium: click.Group, tmp_path: Path
) -> None:
    target = tmp_path / "kommunens-mallar"
    first = run(diarium, "templates", "init", str(target))
    assert first.exit_code == 0
    assert (target / "tjansteskrivelse" / "template.docx").is_file()
    assert (target / "fields.yaml").is_file()
    (target / "yttrande" / "schema.yaml").write_text("ändrad", encoding="utf-8")
    second = run(diarium, "templates", "init", str(target))
    assert f"behöll {target / 'yttrande'} (fanns redan)" in second.output
    assert (target / "yttrande" / "schema.yaml").read_text(encoding="utf-8") == "ändrad"


def test_templates_check(diarium: click.Group, tmp_path: Path) -> None:
    folder = kind_copy(tmp_path, "tjansteskrivelse")
    ok = run(diarium, "templates", "check", str(folder / "template.docx"))
    assert ok.exit_code == 0 and ok.output.endswith("fungerar för tjansteskrivelse\n")

    def edit(doc: Document) -> None:
        paragraph_with(doc, "Diarienummer: {{ diarienummer }}").runs[0].text = "Dnr: {{ dnr }}"

    edit_template(folder, edit)
    bad = run(diarium, "templates", "check", str(folder / "template.docx"))
    assert bad.exit_code == 1
    template = folder / "template.docx"
    assert bad.output.splitlines() == [
        f"{template}: template: platshållaren {{{{ dnr }}}} är inget fält i tjansteskrivelse",
    ]
    # the header still shows the case number, so it is not "never shown"
    other = run(diarium, "templates", "check", str(template), "--kind", "yttrande")
    assert f"{template}: template: det obligatoriska fältet mottagare visas aldrig" in other.output


def _answers() -> str:
    """What a registrar types for `diarium new yttrande`, field by field."""
    lines = [
        "Alingsås kommun", "Socialförvaltningen", "Socialnämnden", "2021-08-15", "2021.112 SN",
        "Yttrande över ”Granskning” & <uppföljning>", "Kommunens revisorer", "",
        # handläggare: one record, then an empty name ends the list
        "Lena Sjöberg", "avdelningschef", "0322-61 60 00", "lena@exempel.se", "",
        # förslag till beslut: two points
        "att anta yttrandet", "att skicka det till revisorerna", "",
        "",  # sammanfattning: skipped
        "Första stycket.", "Andra stycket.", "",  # ärendet
        "",  # beslutsunderlag: none
        "Kommunens revisorer", "",  # beslutet skickas till
        "Maria Olsson", "socialchef", "",  # underskrifter
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


def test_new_asks_for_each_field_and_writes_data_and_document(
    diarium: click.Group, tmp_path: Path
) -> None:
    target = tmp_path / "nytt.docx"
    result = run(diarium, "new", "yttrande", "-o", str(target), input=_answers())
    assert result.exit_code == 0, result.output
    assert "Den som begärt yttrandet" in result.stderr  # the help text is shown
    data = yaml.safe_load((tmp_path / "nytt.yaml").read_text(encoding="utf-8"))
    assert data["förslag_till_beslut"] == ["att anta yttrandet", "att skicka det till revisorerna"]
    assert data["handläggare"] == [
        {"namn": "Lena Sjöberg", "titel": "avdelningschef", "telefon": "0322-61 60 00",
         "epost": "lena@exempel.se"}
    ]  # fmt: skip
    assert data["ärendet"] == "Första stycket.\n\nAndra stycket."
    assert "sammanfattning" not in data and "remiss" not in data
    paragraphs = [p.text for p in Document(str(target)).paragraphs]
    assert "Yttrande över ”Granskning” & <uppföljning>" in paragraphs
    assert "2. att skicka det till revisorerna" in paragraphs
    assert "Första stycket." in paragraphs and "Andra stycket." in paragraphs


def test_new_keeps_the_answers_when_the_document_is_refused(
    diarium: click.Group, tmp_path: Path
) -> None:
    """Answers are checked as they are given; what only the template can refuse (a placeholder
    that is no field) comes at the end, and the answers are kept for `diarium generate`."""
    folder = kind_copy(tmp_path, "yttrande")

    def edit(doc: Document) -> None:
        paragraph_with(doc, "Till: {{ mottagare }}").runs[0].text = "Till: {{ adressat }}"

    edit_template(folder, edit)
    target = tmp_path / "nytt.docx"
    result = run(
        diarium, "new", "yttrande", "-o", str(target), "--templates", str(folder.parent),
        input=_answers(),
    )  # fmt: skip
    assert result.exit_code == 1
    assert "platshållaren {{ adressat }} är inget fält i yttrande" in result.stderr
    assert not target.exists()
    saved = yaml.safe_load((tmp_path / "nytt.yaml").read_text(encoding="utf-8"))
    assert saved["diarienummer"] == "2021.112 SN"
    fixed = tmp_path / "nytt.yaml"
    fixed.write_text(
        fixed.read_text(encoding="utf-8").replace("ärende 12", "2021.112 SN"), encoding="utf-8"
    )
    again = run(diarium, "generate", "yttrande", str(fixed), "-o", str(target))
    assert again.exit_code == 0, again.output


def test_file_puts_the_document_into_the_archive_with_the_datas_metadata(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    target = tmp_path / "v.docx"
    data_file = str(EXAMPLES / "verksamhetsuppfoljning.yaml")
    result = run(
        diarium, "generate", "verksamhetsuppföljning", data_file, "-o", str(target), "--file"
    )
    assert result.exit_code == 0, result.output
    from archive import Archive

    (document,) = list(Archive(archive_dir).documents())
    data = example("verksamhetsuppfoljning")
    assert document.kind == "verksamhetsuppföljning"
    assert document.title == data["rubrik"]
    assert document.date == "2023-06-09" and document.year == 2023
    assert document.case_number == data["diarienummer"]
    assert document.municipality == "Uppsala"
    assert document.board == data["nämnd"] and document.department == data["förvaltning"]
    assert document.officers == [h["namn"] for h in data["handläggare"]]
    assert document.format == "docx"
    assert f"arkiverad {document.id} (verksamhetsuppföljning, 2023-06-09," in result.output


def test_the_same_data_filed_twice_is_one_document(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    # Each render stamps the time into the file (new bytes); the archive still knows it.
    data = example("yttrande")
    path = tmp_path / "data.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "y.docx"
    first = run(diarium, "generate", "yttrande", str(path), "-o", str(target), "--file")
    first_bytes = target.read_bytes()
    time.sleep(1.1)  # a DOCX part's time stamp is in seconds
    second = run(diarium, "generate", "yttrande", str(path), "-o", str(target), "--file")
    assert first.exit_code == second.exit_code == 0, first.output + second.output
    assert target.read_bytes() != first_bytes
    from archive import Archive

    (document,) = list(Archive(archive_dir).documents())
    assert f"finns redan i arkivet som {document.id}" in second.output
    changed_data = yaml.safe_dump(data | {"rubrik": "Ändrad rubrik"}, allow_unicode=True)
    path.write_text(changed_data, encoding="utf-8")
    changed = run(diarium, "generate", "yttrande", str(path), "-o", str(target), "--file")
    assert changed.exit_code == 0 and "arkiverad " in changed.output
    assert len(list(Archive(archive_dir).documents())) == 2
    Archive(archive_dir).remove(document.id)  # removed: the same data files it anew
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    refiled = run(diarium, "generate", "yttrande", str(path), "-o", str(target), "--file")
    assert refiled.exit_code == 0 and "arkiverad " in refiled.output
    assert len(list(Archive(archive_dir).documents())) == 2


def test_output_must_be_a_docx(diarium: click.Group, tmp_path: Path) -> None:
    result = run(diarium, "generate", "yttrande", str(EXAMPLES / "yttrande.yaml"),
                 "-o", str(tmp_path / "y.pdf"))  # fmt: skip
    assert result.exit_code == 2
    assert "slutar på .docx" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_archives_municipality_data_sets_the_case_number_shape(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    """A municipality the shipped data lacks, with its own shape, in the archive's own folder."""
    data = example("yttrande") | {"kommun": "Exempeltorps kommun", "diarienummer": "ÄR#2024#17"}
    path = tmp_path / "data.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    target = tmp_path / "y.docx"
    refused = run(diarium, "generate", "yttrande", str(path), "-o", str(target))
    assert refused.exit_code == 1 and "har inte formen" in refused.stderr
    own = archive_dir / "kommuner"
    own.mkdir(parents=True)
    (own / "exempeltorp.yaml").write_text(
        "name: Exempeltorp\nnames: [Exempeltorps kommun]\ncase_number_shapes: ['ÄR#\\d{4}#\\d+']\n",
        encoding="utf-8",
    )
    (archive_dir / "settings.yaml").write_text("municipalities: kommuner\n", encoding="utf-8")
    result = run(diarium, "generate", "yttrande", str(path), "-o", str(target), "--file")
    assert result.exit_code == 0, result.output
    from archive import Archive

    (document,) = list(Archive(archive_dir).documents())
    assert document.municipality == "Exempeltorp" and document.case_number == "ÄR#2024#17"
