"""Rendering, refusals, escaping and hand-edited templates, checked in the DOCX text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from templates.render import GenerationRefused, archive_metadata, check_template, render
from templates.schema import KindWarning, SchemaError, find_kind, load_kinds
from templates.validate import validate
from tests.templates_helpers import (
    SLUGS,
    add_paragraph_after,
    docx_bytes_contain,
    docx_text,
    edit_template,
    example,
    kind_copy,
    paragraph_with,
)

HOSTILE = {
    "rubrik": "Ekonomi & budget <2024> enligt § 16",
    "sammanfattning": (
        "Rapporten ”Granskning av försörjningsstöd” visar {{ 7*7 }} och {% if 1 %}x{% endif %}."
    ),
}


def refused(slug: str, data: dict, tmp_path: Path) -> list[str]:
    target = tmp_path / "out.docx"
    with pytest.raises(GenerationRefused) as caught:
        render(find_kind(slug), data, target, source="data.yaml")
    assert not target.exists()
    assert list(tmp_path.glob("*.docx")) == []  # no temporary file left behind either
    return str(caught.value).splitlines()


def test_every_builtin_kind_has_a_schema_template_and_example() -> None:
    kinds = load_kinds()
    assert sorted(kinds) == sorted(SLUGS)
    for slug, kind in kinds.items():
        assert kind.template.is_file()
        assert example(slug), slug
        for shared in ("kommun", "förvaltning", "nämnd", "datum", "diarienummer", "rubrik"):
            assert kind.fields[shared].required, (slug, shared)
        assert all(f.help for f in kind.fields.values()), slug


def test_kind_is_found_by_its_swedish_name() -> None:
    assert find_kind("svar på revisionsrapport").slug == "svar-pa-revisionsrapport"
    assert find_kind("Tjänsteskrivelse").slug == "tjansteskrivelse"


@pytest.mark.parametrize("slug", SLUGS)
def test_example_renders_with_every_fact_on_the_page(slug: str, tmp_path: Path) -> None:
    data = example(slug)
    kind = find_kind(slug)
    target = tmp_path / f"{slug}.docx"
    generated = render(kind, data, target)
    assert generated.docx == target
    text = docx_text(target)
    for fact in (data["kommun"], data["förvaltning"], data["nämnd"], data["rubrik"], kind.name):
        assert fact in text, fact
    dated_by = kind.fields[kind.archive_date]
    assert f"{dated_by.label}: {data[dated_by.name]}" in text  # "Datum: 2021-09-16"
    assert str(data["datum"]) in text
    assert f"Diarienummer: {data['diarienummer']}" in text
    for officer in data.get("handläggare", []):
        for key in ("namn", "titel", "telefon", "epost"):
            assert str(officer[key]) in text
    last = text.split(data["rubrik"], 1)[1]
    for signature in data["underskrifter"]:
        assert signature["namn"] in last and signature["titel"] in last
    assert "{{" not in text and "{%" not in text


def test_every_later_page_header_and_footer_carries_the_facts(tmp_path: Path) -> None:
    data = example("tjansteskrivelse")
    target = tmp_path / "t.docx"
    render(find_kind("tjansteskrivelse"), data, target)
    section = Document(str(target)).sections[0]
    header = "\n".join(p.text for p in section.header.paragraphs)
    for fact in (data["kommun"], data["förvaltning"], "Tjänsteskrivelse", str(data["datum"])):
        assert fact in header
    assert data["diarienummer"] in header
    for footer in (section.footer, section.first_page_footer):
        xml = footer._element.xml
        assert "Sida" in xml and " PAGE " in xml and " NUMPAGES " in xml


def test_decision_points_are_numbered_in_the_text(tmp_path: Path) -> None:
    data = example("protokollsutdrag")
    render(find_kind("protokollsutdrag"), data, tmp_path / "p.docx")
    text = docx_text(tmp_path / "p.docx")
    assert f"1. {data['beslut'][0]}" in text
    assert f"2. {data['beslut'][1]}" in text
    assert "§ 16" in text and "Sammanträdesdatum: 2021-02-24" in text


def test_tables_have_as_many_columns_as_the_data(tmp_path: Path) -> None:
    data = example("verksamhetsuppfoljning")
    render(find_kind("verksamhetsuppfoljning"), data, tmp_path / "v.docx")
    # The last table is the one-cell block holding the signatures together (no data table).
    *tables, closing = Document(str(tmp_path / "v.docx")).tables
    assert len(closing.rows) == 1 and len(closing.columns) == 1
    assert len(tables) == len(data["tabeller"])
    for table, spec in zip(tables, data["tabeller"], strict=True):
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        assert rows[0] == spec["kolumner"]
        assert rows[1:] == [[str(c) for c in r] for r in spec["rader"]]
        grid = table._tbl.tblGrid.findall(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}gridCol"
        )
        assert len(grid) == len(spec["kolumner"])


def test_text_blocks_become_paragraphs(tmp_path: Path) -> None:
    data = example("tjansteskrivelse")
    data["ärendet"] = "Första stycket\nfortsätter här.\n\nAndra stycket."
    render(find_kind("tjansteskrivelse"), data, tmp_path / "t.docx")
    paragraphs = [p.text for p in Document(str(tmp_path / "t.docx")).paragraphs]
    assert "Första stycket fortsätter här." in paragraphs
    assert "Andra stycket." in paragraphs


def test_properties_come_from_the_data_and_nothing_says_python_docx(tmp_path: Path) -> None:
    data = example("yttrande")
    target = tmp_path / "y.docx"
    render(find_kind("yttrande"), data, target)
    props = Document(str(target)).core_properties
    assert props.title == data["rubrik"]
    assert props.author == data["förvaltning"]
    assert props.subject == data["diarienummer"]
    assert props.category == "yttrande"
    assert docx_bytes_contain(target, "python-docx") == []
    assert docx_bytes_contain(target, "Macintosh") == []


def test_values_are_data_never_markup_or_code(tmp_path: Path) -> None:
    data = example("tjansteskrivelse") | HOSTILE
    target = tmp_path / "t.docx"
    render(find_kind("tjansteskrivelse"), data, target)
    text = docx_text(target)
    assert "Ekonomi & budget <2024> enligt § 16" in text
    assert "”Granskning av försörjningsstöd”" in text
    assert "{{ 7*7 }}" in text and "{% if 1 %}x{% endif %}" in text
    assert "49" not in text
    assert Document(str(target)).core_properties.title == HOSTILE["rubrik"]


def test_every_problem_is_reported_at_once_and_nothing_written(tmp_path: Path) -> None:
    data = example("tjansteskrivelse")
    del data["rubrik"]
    data["datum"] = "2021-13-45"
    data["förslag_till_beslut"] = []
    data["handläggare"][0]["epost"] = ""
    data["beslutet_skickas_till"] = ["Klicka här för att fylla i vilka beslutet ska skickas till."]
    data["diarenummer"] = "typo"
    lines = refused("tjansteskrivelse", data, tmp_path)
    assert "data.yaml: rubrik: obligatoriskt fält saknas" in lines
    assert "data.yaml: datum: inget datum: '2021-13-45' (skriv ÅÅÅÅ-MM-DD)" in lines
    assert "data.yaml: förslag_till_beslut: obligatoriskt fält är tomt" in lines
    assert "data.yaml: handläggare[1].epost: obligatoriskt fält är tomt" in lines
    assert any(
        line.startswith("data.yaml: beslutet_skickas_till[1]: innehåller Words platshållartext")
        for line in lines
    )
    assert "data.yaml: diarenummer: okänt fält (finns inte i schemat för tjansteskrivelse)" in lines
    assert len(lines) == 6


@pytest.mark.parametrize("date", ["16 september 2021", "2021-9-16", "2021-02-30", 20210916])
def test_a_date_that_is_not_a_date_is_refused(date: object, tmp_path: Path) -> None:
    data = example("yttrande") | {"datum": date}
    (line,) = refused("yttrande", data, tmp_path)
    assert line.startswith("data.yaml: datum: ")


def test_decision_points_that_are_all_blank_are_refused(tmp_path: Path) -> None:
    data = example("yttrande") | {"förslag_till_beslut": ["", "  "]}
    assert refused("yttrande", data, tmp_path) == [
        "data.yaml: förslag_till_beslut: behöver minst en post"
    ]


def test_a_case_number_of_the_wrong_shape_is_refused(tmp_path: Path) -> None:
    data = example("verksamhetsuppfoljning") | {"diarienummer": "hej hopp"}
    (line,) = refused("verksamhetsuppfoljning", data, tmp_path)
    assert line.startswith("data.yaml: diarienummer: 'hej hopp' har inte formen")


def test_a_table_row_with_the_wrong_number_of_cells_is_refused(tmp_path: Path) -> None:
    data = example("verksamhetsuppfoljning")
    data["tabeller"][0]["rader"].append(["Övrigt"])
    assert refused("verksamhetsuppfoljning", data, tmp_path) == [
        "data.yaml: tabeller[1].rader[7]: har 1 celler men tabellen har 2 kolumner"
    ]


def test_yaml_booleans_and_line_breaks_in_one_line_fields_are_refused(tmp_path: Path) -> None:
    data = example("yttrande") | {"mottagare": True, "rubrik": "två\nrader"}
    lines = refused("yttrande", data, tmp_path)
    assert lines == [
        "data.yaml: rubrik: innehåller en radbrytning, som fältet inte kan rymma",
        "data.yaml: mottagare: måste vara text, "
        "inte true (ett sanningsvärde i YAML; sätt citattecken runt för att mena texten)",
    ]


def test_an_undefined_placeholder_is_an_error_not_a_blank(tmp_path: Path) -> None:
    folder = kind_copy(tmp_path, "tjansteskrivelse")
    kind = edit_template(
        folder,
        lambda doc: add_paragraph_after(paragraph_with(doc, "{{ rubrik }}"), "{{ beslutsdatum }}"),
    )
    out = tmp_path / "out"
    out.mkdir()
    lines = refused_with(kind, example("tjansteskrivelse"), out)
    assert lines == [
        "data.yaml: template: platshållaren {{ beslutsdatum }} är inget fält i tjansteskrivelse"
    ]


def refused_with(kind, data: dict, out: Path) -> list[str]:  # noqa: ANN001
    with pytest.raises(GenerationRefused) as caught:
        render(kind, data, out / "x.docx", source="data.yaml")
    assert list(out.iterdir()) == []
    return str(caught.value).splitlines()


def test_an_unknown_sub_field_is_an_error(tmp_path: Path) -> None:
    folder = kind_copy(tmp_path, "tjansteskrivelse")
    kind = edit_template(
        folder,
        lambda doc: add_paragraph_after(
            paragraph_with(doc, "{{ h.namn }}"), "Mobil: {{ h.mobil }}"
        ),
    )
    out = tmp_path / "out"
    out.mkdir()
    assert refused_with(kind, example("tjansteskrivelse"), out) == [
        "data.yaml: template: platshållaren {{ h.mobil }}: handläggare har inget fält 'mobil'"
    ]


@pytest.mark.parametrize(
    ("leftover", "reason"),
    [
        ("Skriv text här", "Words platshållartext finns kvar"),
        ("Klicka här för att ange text.", "Words platshållartext finns kvar"),
        ("{% raw %}{{ diarienummer }}{% endraw %}", "malltagg lämnad ofylld"),
    ],
)
def test_leftovers_in_the_finished_document_are_refused(
    leftover: str, reason: str, tmp_path: Path
) -> None:
    folder = kind_copy(tmp_path, "yttrande")
    kind = edit_template(
        folder, lambda doc: add_paragraph_after(paragraph_with(doc, "{{ rubrik }}"), leftover)
    )
    out = tmp_path / "out"
    out.mkdir()
    (line,) = refused_with(kind, example("yttrande"), out)
    assert line.startswith(f"data.yaml: word/document.xml: {reason}")


def test_the_sandbox_stops_a_template_reaching_python(tmp_path: Path) -> None:
    folder = kind_copy(tmp_path, "yttrande")
    kind = edit_template(
        folder,
        lambda doc: add_paragraph_after(
            paragraph_with(doc, "{{ rubrik }}"), "{{ rubrik.__class__.__mro__ }}"
        ),
    )
    out = tmp_path / "out"
    out.mkdir()
    (line,) = refused_with(kind, example("yttrande"), out)
    assert line.startswith("data.yaml: template: ")
    assert "__class__" in line


def test_a_placeholder_left_open_is_refused_not_silently_swallowed(tmp_path: Path) -> None:
    folder = kind_copy(tmp_path, "yttrande")
    kind = edit_template(
        folder, lambda doc: add_paragraph_after(paragraph_with(doc, "{{ rubrik }}"), "{{ rubrik")
    )
    out = tmp_path / "out"
    out.mkdir()
    assert refused_with(kind, example("yttrande"), out) == [
        "data.yaml: word/document.xml: platshållaren stängs inte: '{{ rubrik'"
    ]
    assert [str(p) for p in check_template(kind.template, kind)] == [
        "word/document.xml: platshållaren stängs inte: '{{ rubrik'"
    ]


def test_a_template_that_fails_while_rendering_is_refused(tmp_path: Path) -> None:
    folder = kind_copy(tmp_path, "yttrande")
    kind = edit_template(
        folder,
        lambda doc: add_paragraph_after(
            paragraph_with(doc, "{{ rubrik }}"), "{% for x in range(10**9) %}{% endfor %}"
        ),
    )
    out = tmp_path / "out"
    out.mkdir()
    (line,) = refused_with(kind, example("yttrande"), out)
    assert line.startswith("data.yaml: template: går inte att fylla i: OverflowError")


def _hand_edit(doc: Document) -> None:
    """What a registrar does in Word: rename a heading, move a field, retype a placeholder."""
    paragraph_with(doc, "Ärendet").runs[0].text = "Bakgrund och bedömning"
    case = paragraph_with(doc, "Diarienummer: {{ diarienummer }}")
    paragraph_with(doc, "{{ rubrik }}")._p.addnext(case._p)  # now below the heading
    date = paragraph_with(doc, "Datum: {{ datum }}")
    for run in list(date.runs):
        run._r.getparent().remove(run._r)
    # Word splits a placeholder into runs when part of it is retyped or formatted.
    date.add_run("Datum: {{ da")
    date.add_run("tum }}").bold = True


def test_a_template_edited_by_hand_still_renders(tmp_path: Path) -> None:
    kind = edit_template(kind_copy(tmp_path, "tjansteskrivelse"), _hand_edit)
    assert check_template(kind.template, kind) == []
    data = example("tjansteskrivelse")
    target = tmp_path / "edited.docx"
    render(kind, data, target)
    paragraphs = [p.text for p in Document(str(target)).paragraphs]
    assert "Bakgrund och bedömning" in paragraphs and "Ärendet" not in paragraphs
    assert paragraphs.index(f"Diarienummer: {data['diarienummer']}") == (
        paragraphs.index(data["rubrik"]) + 1
    )
    assert f"Datum: {data['datum']}" in paragraphs


def test_a_municipalitys_folder_wins_over_the_builtin_kind(tmp_path: Path) -> None:
    folder = kind_copy(tmp_path, "yttrande")
    edit_template(folder, lambda doc: setattr(paragraph_with(doc, "Yttrande"), "text", "Remissvar"))
    kind = find_kind("yttrande", folder.parent)
    assert not kind.builtin and kind.folder == folder
    render(kind, example("yttrande"), tmp_path / "y.docx")
    assert "Remissvar" in docx_text(tmp_path / "y.docx")
    assert find_kind("tjansteskrivelse", folder.parent).builtin


def test_a_broken_kind_in_a_municipalitys_folder_leaves_the_others_usable(
    tmp_path: Path,
) -> None:
    good = kind_copy(tmp_path, "yttrande")
    broken = kind_copy(tmp_path, "tjansteskrivelse")
    (broken / "schema.yaml").write_text("fields: [unclosed\n", encoding="utf-8")
    assert find_kind("yttrande", good.parent).folder == good
    with pytest.raises(SchemaError, match="schema.yaml"):  # not the built-in in its place
        find_kind("tjänsteskrivelse", good.parent)
    with pytest.warns(KindWarning, match="schema.yaml.*dokumenttypen utelämnad"):
        kinds = load_kinds(good.parent)
    assert "tjansteskrivelse" not in kinds and not kinds["yttrande"].builtin
    assert kinds["protokollsutdrag"].builtin


def test_check_lists_unknown_placeholders_and_required_fields_never_shown(tmp_path: Path) -> None:
    def edit(doc: Document) -> None:
        title = paragraph_with(doc, "{{ rubrik }}")
        title.runs[0].text = "{{ ärenderubrik }}"

    kind = edit_template(kind_copy(tmp_path, "tjansteskrivelse"), edit)
    problems = [str(p) for p in check_template(kind.template, kind)]
    assert problems == [
        "template: platshållaren {{ ärenderubrik }} är inget fält i tjansteskrivelse",
        "template: det obligatoriska fältet rubrik visas aldrig",
    ]


@pytest.mark.parametrize("slug", SLUGS)
def test_builtin_templates_pass_their_own_check(slug: str) -> None:
    kind = find_kind(slug)
    assert check_template(kind.template, kind) == []


def test_archive_metadata_uses_the_archives_english_keys() -> None:
    kind = find_kind("tjansteskrivelse")
    data, problems = validate(kind, example("tjansteskrivelse"))
    assert problems == []
    meta = archive_metadata(kind, data)
    assert meta["kind"] == "tjänsteskrivelse"
    assert (meta["title"], meta["date"], meta["case_number"]) == (
        data["rubrik"],
        data["datum"],
        data["diarienummer"],
    )
    assert meta["municipality"] == "Alingsås"  # the archive's short name for "Alingsås kommun"
    assert meta["board"] == data["nämnd"]
    assert meta["department"] == data["förvaltning"]
    assert meta["officers"] == [h["namn"] for h in data["handläggare"]]
    headings = [s["heading"] for s in meta["sections"]]
    assert "Förslag till beslut" in headings and "Ärendet" in headings
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta["date"])


def test_a_protocol_extract_is_dated_by_its_meeting_in_the_archive() -> None:
    kind = find_kind("protokollsutdrag")
    data, problems = validate(kind, example("protokollsutdrag"))
    assert problems == []
    assert data["datum"] != data["sammanträdesdatum"]
    assert archive_metadata(kind, data)["date"] == data["sammanträdesdatum"]


def test_case_number_shapes_follow_the_municipality(tmp_path: Path) -> None:
    kind = find_kind("tjansteskrivelse")
    data = example("tjansteskrivelse")
    for number in ("2021.004 KUN", "KUN 2021/4", "AMN-2023-00096"):
        assert validate(kind, data | {"diarienummer": number})[1] == [], number
    (problem,) = validate(kind, data | {"diarienummer": "2021:4"})[1]
    assert (
        str(problem)
        == "diarienummer: '2021:4' har inte formen av ett diarienummer i Alingsås kommun"
    )


def test_optional_parts_leave_no_trace_when_empty(tmp_path: Path) -> None:
    data = example("protokollsutdrag")
    for optional in ("handläggare", "ärendet", "förslag_till_beslut", "beslutsunderlag"):
        del data[optional]
    render(find_kind("protokollsutdrag"), data, tmp_path / "p.docx")
    doc = Document(str(tmp_path / "p.docx"))
    paragraphs = [p.text for p in doc.paragraphs]
    paragraphs += [p.text for table in doc.tables for cell in table._cells for p in cell.paragraphs]
    for gone in ("Ärendebeskrivning", "Förslag till beslut", "Beslutsunderlag"):
        assert gone not in paragraphs
    assert not any(p.startswith("Handläggare") for p in paragraphs)
    assert "Beslut" in paragraphs and "Justerare: Anders Persson" in paragraphs
