"""DOCX, plain-text and Markdown extraction on files the tests write and on the real corpus."""

from __future__ import annotations

import codecs
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from archive.errors import ExtractionError
from archive.extract import extract
from archive.extract.docx import extract_docx
from archive.extract.text import extract_text
from archive.model import Heading, Table
from tests.fixtures import text_to_docx

SEED_000 = "seeds/000_07ab3b7abad0b89f.txt"
SEED_001 = "seeds/001_9ac84fee95ffe6b8.txt"
SEED_TABLE = [
    ["Insats/Resultat", "Antal"],
    ["Vårdinsatser", "2"],
    ["Arbets träning", "1"],
    ["Studier", "1"],
    ["Arbete", "1"],
    ["Ansökan om sjukersättning", "4"],
    ["Totalt", "9"],
]
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
WPS = "http://schemas.microsoft.com/office/word/2010/wordprocessingShape"
VML = "urn:schemas-microsoft-com:vml"


# --- DOCX ------------------------------------------------------------------------------------


def _letter(path: Path) -> Path:
    """A small tjänsteskrivelse as a municipal Word template lays it out."""
    document = Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "Lekebergs kommun\tTjänsteskrivelse"
    section.different_first_page_header_footer = True
    section.first_page_header.paragraphs[0].text = "Datum 2023-10-12"
    section.footer.paragraphs[0].text = "Postadress\tGatuadress\tTelefon"
    document.add_paragraph("Svar på revisionsrapport", style="Title")
    document.add_heading("Förslag till beslut", level=1)
    document.add_paragraph("Kommunstyrelsen beslutar att anta svaret.")
    document.add_heading("Bakgrund", level=2)
    swedish = document.styles.add_style("Rubrik 3", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Ekonomiska konsekvenser", style=swedish)
    outlined = document.add_paragraph("Beslutsunderlag")
    outlined._p.get_or_add_pPr().append(parse_xml(f'<w:outlineLvl {nsdecls("w")} w:val="1"/>'))
    document.add_paragraph("Vanlig brödtext utan rubrik.")
    table = document.add_table(rows=3, cols=3)
    for r, row in enumerate([["Insats", "Antal", "Kommentar"], ["Studier", "1", "ny"]]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    merged = table.cell(2, 0).merge(table.cell(2, 2))
    merged.text = "Totalt 1"
    props = document.core_properties
    props.title, props.subject, props.author = "Svar på revision", "Revision", "Anna Berg"
    document.save(str(path))
    return path


def test_docx_headings_from_styles_swedish_names_and_outline_level(tmp_path: Path) -> None:
    extraction = extract_docx(_letter(tmp_path / "brev.docx"))
    assert extraction.format == "docx"
    assert extraction.headings == [
        Heading(1, "Svar på revisionsrapport"),  # Title style
        Heading(1, "Förslag till beslut"),
        Heading(2, "Bakgrund"),
        Heading(3, "Ekonomiska konsekvenser"),  # a style named "Rubrik 3"
        Heading(2, "Beslutsunderlag"),  # outline level 1 (0-based) on the paragraph
    ]
    assert "Vanlig brödtext utan rubrik." not in [h.text for h in extraction.headings]


def test_docx_tables_are_rows_of_cells_and_a_merged_cell_counts_once(tmp_path: Path) -> None:
    extraction = extract_docx(_letter(tmp_path / "brev.docx"))
    assert extraction.tables == [
        Table(1, [["Insats", "Antal", "Kommentar"], ["Studier", "1", "ny"], ["Totalt 1"]])
    ]
    assert "Studier\t1\tny" in extraction.text  # table text is searchable with the body


def test_docx_header_and_footer_are_kept_apart_from_the_body(tmp_path: Path) -> None:
    extraction = extract_docx(_letter(tmp_path / "brev.docx"))
    assert extraction.header_text.split("\n") == [
        "Lekebergs kommun\tTjänsteskrivelse",
        "Datum 2023-10-12",
    ]
    assert extraction.footer_text == "Postadress\tGatuadress\tTelefon"
    for furniture in ("Lekebergs kommun", "Datum 2023-10-12", "Postadress"):
        assert furniture not in extraction.text
    assert [p.number for p in extraction.pages] == [1]


def test_docx_core_properties(tmp_path: Path) -> None:
    extraction = extract_docx(_letter(tmp_path / "brev.docx"))
    assert extraction.properties == {
        "title": "Svar på revision",
        "subject": "Revision",
        "author": "Anna Berg",
    }


def test_docx_reads_content_controls_fields_and_text_boxes_once(tmp_path: Path) -> None:
    """Template fields live in content controls and text boxes; python-docx alone misses them."""
    document = Document()
    body = document.element.body
    body.insert(
        0,
        parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>Dnr KS 2023/123</w:t></w:r>"
            "</w:p></w:sdtContent></w:sdt>"
        ),
    )
    paragraph = document.add_paragraph("Datum: ")
    paragraph._p.append(
        parse_xml(
            f"<w:sdt {nsdecls('w')}><w:sdtContent><w:r><w:t>2023-06-09</w:t></w:r>"
            "</w:sdtContent></w:sdt>"
        )
    )
    field = document.add_paragraph("Sida ")
    field._p.append(
        parse_xml(
            f'<w:fldSimple {nsdecls("w")} w:instr="PAGE"><w:r><w:t>1</w:t></w:r></w:fldSimple>'
        )
    )
    anchor = document.add_paragraph("Brödtext")
    box = (
        f'<w:r {nsdecls("w")} xmlns:mc="{MC}" xmlns:wps="{WPS}" xmlns:v="{VML}">'
        '<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wps:txbx>'
        "<w:txbxContent><w:p><w:r><w:t>Kommunstyrelsen</w:t></w:r></w:p></w:txbxContent>"
        "</wps:txbx></w:drawing></mc:Choice><mc:Fallback><w:pict><v:textbox>"
        "<w:txbxContent><w:p><w:r><w:t>Kommunstyrelsen</w:t></w:r></w:p></w:txbxContent>"
        "</v:textbox></w:pict></mc:Fallback></mc:AlternateContent></w:r>"
    )
    anchor._p.append(parse_xml(box))
    deleted = document.add_paragraph("Kvar")
    deleted._p.append(
        parse_xml(
            f'<w:del {nsdecls("w")} w:id="1" w:author="x"><w:r><w:delText>Borta'
            "</w:delText></w:r></w:del>"
        )
    )
    path = tmp_path / "falt.docx"
    document.save(str(path))
    lines = extract_docx(path).text.split("\n")
    assert lines == [
        "Dnr KS 2023/123",
        "Datum: 2023-06-09",
        "Sida 1",
        "Brödtext",
        "Kommunstyrelsen",
        "Kvar",
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"Datum: 2021-09-16\nDetta ar text.\n", "ingen giltig DOCX (ingen zip-fil)"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
            "ingen giltig DOCX (lösenordsskyddad, eller en gammal .doc-fil omdöpt till .docx)",
        ),
    ],
)
def test_docx_that_is_no_word_file_is_refused_with_a_reason(
    tmp_path: Path, content: bytes, reason: str
) -> None:
    path = tmp_path / "trasig.docx"
    path.write_bytes(content)
    with pytest.raises(ExtractionError) as caught:
        extract_docx(path)
    assert str(caught.value) == reason


def test_docx_zip_without_word_document_and_truncated_docx(tmp_path: Path) -> None:
    other = tmp_path / "annat.docx"
    with zipfile.ZipFile(other, "w") as package:
        package.writestr("readme.txt", "inget Word-dokument")
    with pytest.raises(ExtractionError, match=r"^ingen giltig DOCX \(inget Word-dokument"):
        extract_docx(other)
    whole = _letter(tmp_path / "hel.docx").read_bytes()
    cut = tmp_path / "avklippt.docx"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ExtractionError, match=r"^ingen giltig DOCX \("):
        extract_docx(cut)


def test_docx_rendering_of_a_seed_keeps_its_table_and_headings(
    shared_dir: Path, tmp_path: Path
) -> None:
    text = (shared_dir / SEED_001).read_text(encoding="utf-8")
    extraction = extract_docx(text_to_docx(text, tmp_path / "001.docx"))
    assert Heading(3, "Socialnämndens åtgärder") in extraction.headings
    assert extraction.tables[0].rows[0] == ["Insats/Resultat", "Antal"]
    assert extraction.tables[0].rows[-1] == ["Totalt", "9"]
    assert "<b>" not in extraction.text and "**" not in extraction.text


def test_kungsbacka_docx_without_body_text_is_flagged_not_refused(shared_dir: Path) -> None:
    extraction = extract_docx(shared_dir / "corpus/kungsbacka/docx/Bygglovshandlingar-API.docx")
    assert extraction.flags == ["no text"]
    assert extraction.text == ""


def test_kungsbacka_docx_headings_and_text(shared_dir: Path) -> None:
    folder = shared_dir / "corpus/kungsbacka/docx"
    manual = extract_docx(folder / "Bygglovshandlingar-Annoteringsverktyget.docx")
    assert manual.headings[:3] == [
        Heading(1, "Taggning av bygglovshandlingar"),
        Heading(1, "Behovet av taggning"),
        Heading(1, "Val av taggningsverktyg och installation"),
    ]
    assert "Label Studio" in manual.text
    licences = extract_docx(folder / "Bygglovshandlingar-Licenser.docx")
    assert "MIT License" in licences.text and licences.flags == []


# --- plain text ------------------------------------------------------------------------------

LETTER = "Datum: 2021-09-16\nÄrendet gäller försörjningsstöd – åtgärder för år 2021.\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (LETTER.encode("utf-8"), None),
        (codecs.BOM_UTF8 + LETTER.encode("utf-8"), None),
        (LETTER.encode("cp1252"), "cp1252"),
        (LETTER.encode("utf-16"), "utf-16"),
        (LETTER.replace("\n", "\r\n").encode("utf-8"), None),
        (LETTER.replace("\n", "\r").encode("cp1252"), "cp1252"),
    ],
)
def test_text_encodings_and_line_ends(tmp_path: Path, data: bytes, encoding: str | None) -> None:
    path = tmp_path / "brev.txt"
    path.write_bytes(data)
    extraction = extract_text(path)
    assert extraction.format == "txt"
    assert extraction.text == LETTER.rstrip("\n")
    assert extraction.properties.get("encoding") == encoding


def test_text_bytes_cp1252_leaves_undefined_are_read_as_latin1(tmp_path: Path) -> None:
    path = tmp_path / "gammal.txt"
    path.write_bytes("Nämnden\x81 beslutar".encode("latin-1"))
    extraction = extract_text(path)
    assert extraction.text == "Nämnden\x81 beslutar"
    assert extraction.properties["encoding"] == "latin-1"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "tom fil"),
        (b"  \n\r\n\t \n", "tom fil (bara blanktecken)"),
        (b"PK\x03\x04\x00\x00binary\x00data", "ingen textfil (binärt innehåll)"),
    ],
)
def test_text_that_cannot_be_taken_is_refused(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "fel.txt"
    path.write_bytes(data)
    with pytest.raises(ExtractionError) as caught:
        extract_text(path)
    assert str(caught.value) == reason


def test_text_form_feeds_from_pdftotext_become_pages(tmp_path: Path) -> None:
    path = tmp_path / "sidor.txt"
    path.write_text("Sida ett\n\fSida två\n\fSida tre\n\f", encoding="utf-8")
    pages = extract_text(path).pages
    assert [(p.number, p.text) for p in pages] == [
        (1, "Sida ett"),
        (2, "Sida två"),
        (3, "Sida tre"),
    ]


def test_text_tab_table_and_stray_html_of_the_seeds(shared_dir: Path) -> None:
    plain = extract_text(shared_dir / SEED_000)
    assert plain.tables == [Table(1, SEED_TABLE)]
    converted = extract_text(shared_dir / SEED_001)
    assert "<b>" not in converted.text
    assert converted.tables[0].rows[0] == ["Insats/Resultat", "Antal"]
    assert converted.tables[0].rows[-1] == ["Totalt", "9"]
    assert "Totalt\t9" in converted.text
    assert converted.headings == []  # a .txt file has no markup headings


def test_unreadable_text_file_is_refused(tmp_path: Path) -> None:
    """Any read error (here: a folder named like a file, which even root cannot read)."""
    folder = tmp_path / "mapp.txt"
    folder.mkdir()
    with pytest.raises(ExtractionError, match=r"^filen går inte att läsa: är en mapp"):
        extract_text(folder)


# --- Markdown --------------------------------------------------------------------------------

MARKDOWN = """\
---
title: "Kostpolicy för kommunen"
source_url: "https://example.invalid/kostpolicy.pdf"
---

# Kostpolicy
#####Uppdrag:
Text med **fet** stil, *kursiv* stil, <b>html</b>, `kod` och en [länk](https://x.invalid).

Mål och syfte
-------------

| Enhet | Antal |
|:------|------:|
| Skola | 12 |
| **Förskola** | 4 |

---

Insats\tAntal
Studier\t1
"""


def test_markdown_headings_inline_markup_tables_and_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    extraction = extract_text(path)
    assert extraction.format == "md"
    assert extraction.properties == {
        "title": "Kostpolicy för kommunen",
        "source_url": "https://example.invalid/kostpolicy.pdf",
    }
    assert extraction.headings == [
        Heading(1, "Kostpolicy"),
        Heading(5, "Uppdrag:"),
        Heading(2, "Mål och syfte"),
    ]
    assert "Text med fet stil, kursiv stil, html, kod och en länk." in extraction.text
    assert extraction.tables == [
        Table(1, [["Enhet", "Antal"], ["Skola", "12"], ["Förskola", "4"]]),
        Table(1, [["Insats", "Antal"], ["Studier", "1"]]),
    ]
    for markup in ("---", "**", "<b>", "|", "#", "title:"):
        assert markup not in extraction.text


def test_markdown_of_the_corpus(shared_dir: Path) -> None:
    policy = extract_text(
        shared_dir / "corpus/botkyrka/Botkyrka_Riktlinjer_mot_mutor_och_jav_2013.md"
    )
    assert policy.properties["title"] == "Riktlinjer-Mot_mutor_och_jäv-20131213"
    assert Heading(2, "KS/2013:635") in policy.headings
    assert Heading(2, "Syfte") in policy.headings
    assert "source_file" not in policy.text and not policy.text.startswith("---")


def test_every_text_docx_and_markdown_file_of_the_corpus_goes_in(shared_dir: Path) -> None:
    corpus = shared_dir / "corpus"
    files = [
        p
        for p in sorted(corpus.rglob("*"))
        if p.suffix in (".txt", ".md", ".docx") and "lang" not in p.relative_to(corpus).parts
    ]
    assert len(files) >= 20
    for path in files:
        extraction = extract(path)
        assert extraction.format == {".txt": "txt", ".md": "md", ".docx": "docx"}[path.suffix]
        if extraction.flags != ["no text"]:
            assert len(extraction.text) > 100, path
        for table in extraction.tables:
            assert table.rows and all(isinstance(c, str) for row in table.rows for c in row)
