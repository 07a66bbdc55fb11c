"""What a registrar types comes out as typed: YAML 1.1 and JSON do not get to reinterpret it.

Each value below was changed silently before (octal telephone, base-60 and decimal case numbers),
so each test writes the data file as a person would, unquoted, and reads the finished document.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from archive import Archive
from cli.archive_cmds import COMMANDS as ARCHIVE_COMMANDS
from cli.generate import COMMANDS
from cli.main import Diarium
from tests.templates_helpers import EXAMPLES, docx_text

# A municipality whose registry writes bare numbers: `2021:4` (year:serial), `2021.010`.
OWN_MUNICIPALITY = (
    "name: Exempeltorp\nnames: [Exempeltorps kommun]\n"
    "case_number_shapes: ['\\d{4}:\\d{1,4}', '\\d{4}\\.\\d{3}']\n"
)


@pytest.fixture()
def diarium() -> click.Group:
    return Diarium(name="diarium", commands={c.name: c for c in (*COMMANDS, *ARCHIVE_COMMANDS)})


@pytest.fixture()
def own_archive(archive_dir: Path) -> Path:
    (archive_dir / "kommuner").mkdir(parents=True)
    (archive_dir / "kommuner" / "exempeltorp.yaml").write_text(OWN_MUNICIPALITY, encoding="utf-8")
    (archive_dir / "settings.yaml").write_text("municipalities: kommuner\n", encoding="utf-8")
    return archive_dir


def run(diarium: click.Group, *args: str, input: str | None = None):  # noqa: ANN201
    return CliRunner().invoke(diarium, list(args), input=input, catch_exceptions=False)


def _data_file(tmp_path: Path, replacements: dict[str, str], name: str = "data.yaml") -> Path:
    """The shipped example with lines replaced as a person would edit them: unquoted."""
    text = (EXAMPLES / "tjansteskrivelse.yaml").read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _generate(diarium: click.Group, data: Path, tmp_path: Path) -> str:
    target = tmp_path / "ut.docx"
    result = run(diarium, "generate", "tjänsteskrivelse", str(data), "-o", str(target))
    assert result.exit_code == 0, result.output
    return docx_text(target)


def test_a_telephone_number_with_a_leading_zero_is_not_read_as_octal(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    data = _data_file(tmp_path, {"telefon: 0322-61 60 00": "telefon: 0322616000"})
    text = _generate(diarium, data, tmp_path)
    assert "0322616000" in text
    assert "55254016" not in text  # what YAML 1.1 makes of it


@pytest.mark.parametrize(
    ("number", "misread"),
    [("2021:4", "121264"), ("2021.010", "2021.01 ")],  # base 60; a float loses its last zero
)
def test_a_case_number_is_filed_and_written_as_typed(
    diarium: click.Group, tmp_path: Path, own_archive: Path, number: str, misread: str
) -> None:
    data = _data_file(
        tmp_path,
        {
            "kommun: Alingsås kommun": "kommun: Exempeltorps kommun",
            "diarienummer: 2021.004 KUN": f"diarienummer: {number}",
        },
    )
    target = tmp_path / "ut.docx"
    result = run(diarium, "generate", "tjänsteskrivelse", str(data), "-o", str(target), "--file")
    assert result.exit_code == 0, result.output
    text = docx_text(target)
    assert f"Diarienummer: {number}" in text and misread not in text
    (document,) = Archive(own_archive).documents()
    assert document.case_number == number


def test_json_numbers_keep_their_text(diarium: click.Group, tmp_path: Path, own_archive: Path):
    data = _data_file(
        tmp_path,
        {
            "kommun: Alingsås kommun": "kommun: Exempeltorps kommun",
            "diarienummer: 2021.004 KUN": "diarienummer: '2021.010'",
        },
    )
    import yaml

    values = yaml.safe_load(data.read_text(encoding="utf-8"))
    raw = json.dumps(values, ensure_ascii=False, default=str).replace('"2021.010"', "2021.010")
    assert '"diarienummer": 2021.010' in raw  # a JSON number, as a script would write it
    path = tmp_path / "data.json"
    path.write_text(raw, encoding="utf-8")
    assert "2021.010" in _generate(diarium, path, tmp_path)


def test_a_value_that_cannot_be_text_is_refused_with_its_line_and_as_written(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    data = _data_file(tmp_path, {"rubrik: Uppföljning": "rubrik: yes\nx: Uppföljning"})
    data.write_text(data.read_text(encoding="utf-8").replace("x: Uppföljning", "#"), "utf-8")
    line = data.read_text(encoding="utf-8").splitlines().index("rubrik: yes") + 1
    result = run(diarium, "generate", "tjänsteskrivelse", str(data), "-o", str(tmp_path / "u.docx"))
    assert result.exit_code == 1
    assert f"rubrik (rad {line}): måste vara text, inte yes " in result.stderr
    assert not (tmp_path / "u.docx").exists()


def test_a_sidecar_case_number_is_stored_as_written(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    report = tmp_path / "beslut.txt"
    report.write_text("Socialnämnden beslutar om försörjningsstöd.\n", encoding="utf-8")
    (tmp_path / "beslut.txt.meta.yaml").write_text(
        "case_number: 2021:4\ntitle: 0322616000\n", encoding="utf-8"
    )
    result = run(diarium, "ingest", str(report), "--json")
    assert result.exit_code == 0, result.output
    (document,) = Archive(archive_dir).documents()
    assert document.case_number == "2021:4" and document.title == "0322616000"


def test_a_sidecar_boolean_where_text_is_wanted_is_named_with_its_line(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    report = tmp_path / "beslut.txt"
    report.write_text("Socialnämnden beslutar om försörjningsstöd.\n", encoding="utf-8")
    (tmp_path / "beslut.txt.meta.yaml").write_text("kind: yttrande\nboard: no\n", "utf-8")
    result = run(diarium, "ingest", str(report))
    assert result.exit_code == 1
    assert "beslut.txt.meta.yaml: board (rad 2): måste vara ett värde, inte no " in result.stderr


def test_new_asks_again_for_a_bad_answer_instead_of_refusing_at_the_end(
    diarium: click.Group, tmp_path: Path, archive_dir: Path
) -> None:
    """A bad date and a case number of no known shape are asked again, then accepted."""
    answers = [
        "Alingsås kommun",  # kommun
        "Socialförvaltningen",  # förvaltning
        "Socialnämnden",  # nämnd
        "2021-02-30",  # datum: impossible, asked again
        "2021-03-01",
        "hej hopp",  # diarienummer: no shape Alingsås writes, asked again
        "2021.004 SN",
        "Klicka här för att ange text.",  # rubrik: Word's prompt left in, asked again
        "Yttrande över remiss",
        "Kommunens revisorer",  # mottagare
        "",  # remiss (optional)
        "Karin Holmberg",  # handläggare 1: namn, titel, telefon, epost
        "utredare",
        "0322616000",
        "karin@exempel.se",
        "",  # no second officer
        "att godkänna yttrandet",  # förslag till beslut
        "",
        "",  # sammanfattning (optional)
        "Nämnden har tagit del av rapporten.",  # ärendet, one paragraph
        "",
        "",  # beslutsunderlag (optional)
        "Kommunens revisorer",  # beslutet skickas till
        "",
        "Anna Berg",  # underskrifter
        "ordförande",
        "",
    ]
    target = tmp_path / "yttrande.docx"
    result = run(
        diarium,
        "new",
        "yttrande",
        "-o",
        str(target),
        input="\n".join(answers) + "\n",
    )
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "inget datum: '2021-02-30'" in err and "Svara igen." in err
    assert "'hej hopp' har inte formen av ett diarienummer" in err
    assert "innehåller Words platshållartext" in err
    saved = (tmp_path / "yttrande.yaml").read_text(encoding="utf-8")
    assert "datum: '2021-03-01'" in saved or "datum: 2021-03-01" in saved
    assert "2021.004 SN" in saved and "2021-02-30" not in saved and "hej hopp" not in saved
    assert "0322616000" in docx_text(target)
