"""Rebuild the built-in Word templates (`kinds/<slug>/template.docx`) from this description.

The committed .docx files are what staff open and edit in Word; this builder only makes the starting
point reproducible. Run `python -m templates.build_templates` after changing it and commit the
result. Every placeholder is Jinja syntax as docxtpl reads it: `{{ field }}` for a value, a
paragraph holding only `{%p ... %}` for a loop or condition over whole paragraphs,
`{%tr %}`/`{%tc %}` for table rows and cells.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_TAB_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from templates.schema import BUILTIN_DIR, TEMPLATE_FILE

FONT = "Arial"  # LibreOffice maps it to the metric-compatible Liberation Sans for the PDF
TEXT_WIDTH = Cm(16)


def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice update when they lay out pages."""
    for kind, text in (("begin", None), ("instr", instruction), ("separate", None), ("end", None)):
        run = paragraph.add_run()
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = f" {text} "
            run._r.append(instr)
            continue
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), kind)
        run._r.append(char)
        if kind == "separate":
            paragraph.add_run(shown)


def _styles(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "sv-SE")
    rpr.append(lang)
    for name, size in (("Heading 1", 16), ("Heading 2", 12), ("Heading 3", 11), ("Title", 20)):
        style = doc.styles[name]
        style.font.name = FONT
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.italic = False
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.element.get_or_add_rPr().find(qn("w:rFonts")).attrib.clear()
        style.element.get_or_add_rPr().find(qn("w:rFonts")).set(qn("w:ascii"), FONT)
        style.element.get_or_add_rPr().find(qn("w:rFonts")).set(qn("w:hAnsi"), FONT)
        style.paragraph_format.space_before = Pt(12 if size < 16 else 18)
        style.paragraph_format.space_after = Pt(6)
    kind_style = doc.styles.add_style("Dokumentslag", WD_STYLE_TYPE.PARAGRAPH)
    kind_style.base_style = normal
    kind_style.font.size = Pt(16)
    kind_style.font.bold = True
    kind_style.paragraph_format.space_before = Pt(12)
    organisation = doc.styles.add_style("Avsändare", WD_STYLE_TYPE.PARAGRAPH)
    organisation.base_style = normal
    organisation.font.bold = True
    organisation.paragraph_format.space_after = Pt(0)
    label = doc.styles.add_style("Uppgift", WD_STYLE_TYPE.PARAGRAPH)
    label.base_style = normal
    label.paragraph_format.space_after = Pt(0)
    for name in ("Header", "Footer"):
        doc.styles[name].font.size = Pt(8)
        doc.styles[name].paragraph_format.tab_stops.clear_all()


def _page(doc: DocxDocument, kind_word: str, date_line: str) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin, section.bottom_margin = Cm(2.5), Cm(2)
    section.header_distance = section.footer_distance = Cm(1.2)
    assert section.start_type == WD_SECTION.NEW_PAGE
    # Page 1 shows the full head block in the body; later pages repeat it in the header.
    section.different_first_page_header_footer = True
    header = section.header.paragraphs[0]
    header.style = doc.styles["Header"]
    header.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    header.add_run("{{ kommun }}, {{ förvaltning }}\t" + kind_word)
    second = section.header.add_paragraph(style="Header")
    second.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
    second.add_run("{{ nämnd }}\t" + date_line + ", diarienummer: {{ diarienummer }}")
    for footer in (section.footer, section.first_page_footer):
        line = footer.paragraphs[0]
        line.style = doc.styles["Footer"]
        line.paragraph_format.tab_stops.add_tab_stop(TEXT_WIDTH, WD_TAB_ALIGNMENT.RIGHT)
        line.add_run("{{ kommun }}\tSida ")
        _field(line, "PAGE", "1")
        line.add_run(" (")
        _field(line, "NUMPAGES", "1")
        line.add_run(")")


def _p(doc: DocxDocument, text: str, style: str | None = None, bold: bool = False) -> Paragraph:
    paragraph = doc.add_paragraph(style=style)
    if text:
        paragraph.add_run(text).bold = bold or None
    return paragraph


def _head(
    doc: DocxDocument,
    kind_word: str,
    extra: list[str],
    officers_optional: bool,
    date_line: str = "Datum: {{ datum }}",
) -> None:
    """The facts a reader (and the archive's metadata rules) look for first, one per line."""
    _p(doc, "{{ kommun }}", "Avsändare")
    _p(doc, "{{ förvaltning }}", "Avsändare")
    _p(doc, kind_word, "Dokumentslag")
    _p(doc, "{{ nämnd }}", "Uppgift")
    _p(doc, date_line, "Uppgift")
    _p(doc, "Diarienummer: {{ diarienummer }}", "Uppgift")
    for line in extra:
        _p(doc, line, "Uppgift")
    if officers_optional:
        _p(doc, "{%p if handläggare %}")
    _p(doc, "{%p for h in handläggare %}")
    _p(doc, "Handläggare: {{ h.namn }}, {{ h.titel }}", "Uppgift")
    _p(doc, "Telefon: {{ h.telefon }}, e-post: {{ h.epost }}", "Uppgift")
    _p(doc, "{%p endfor %}")
    if officers_optional:
        _p(doc, "{%p endif %}")
    _p(doc, "{{ rubrik }}", "Heading 1")


def _text(doc: DocxDocument, heading: str, field: str, optional: bool = False) -> None:
    if optional:
        _p(doc, f"{{%p if {field} %}}")
    _p(doc, heading, "Heading 2")
    _p(doc, f"{{{{ {field} }}}}")
    if optional:
        _p(doc, "{%p endif %}")


def _decisions(doc: DocxDocument, heading: str, field: str, optional: bool = False) -> None:
    """Numbers written out, not Word numbering, so they survive into extracted text."""
    if optional:
        _p(doc, f"{{%p if {field} %}}")
    _p(doc, heading, "Heading 2")
    _p(doc, "{{ nämnd }} beslutar")
    _p(doc, f"{{%p for punkt in {field} %}}")
    _p(doc, "{{ loop.index }}. {{ punkt }}")
    _p(doc, "{%p endfor %}")
    if optional:
        _p(doc, "{%p endif %}")


def _bullets(doc: DocxDocument, heading: str, field: str, optional: bool = True) -> None:
    if optional:
        _p(doc, f"{{%p if {field} %}}")
    _p(doc, heading, "Heading 2")
    _p(doc, f"{{%p for rad in {field} %}}")
    _p(doc, "{{ rad }}", "List Bullet")
    _p(doc, "{%p endfor %}")
    if optional:
        _p(doc, "{%p endif %}")


def _closing(doc: DocxDocument, body: Callable[[_Cell], None]) -> None:
    """The end of the document and its signatures as one block a page break cannot split: a
    borderless one-cell table whose row may not break across pages.

    So the signatures are never alone at the top of a page (what they sign comes with them) nor
    split from one another. Keep-with-next on paragraphs would be the Word way, but LibreOffice
    (7.4, converting DOCX headless) lays out as if it were not there; an unsplittable row it keeps.
    """
    table = doc.add_table(rows=1, cols=1)
    row = table.rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    cell = row.cells[0]
    cell.width = TEXT_WIDTH
    body(_Cell(cell))


class _Cell:
    """Paragraphs added to a table cell the way `_p` adds them to the body."""

    def __init__(self, cell) -> None:  # noqa: ANN001 - python-docx cell
        self.cell = cell
        self.first = True

    def p(self, text: str, style: str | None = None) -> Paragraph:
        if self.first:
            paragraph = self.cell.paragraphs[0]
            if style:
                paragraph.style = style
            self.first = False
        else:
            paragraph = self.cell.add_paragraph(style=style)
        if text:
            paragraph.add_run(text)
        return paragraph


def _signed_list(cell: _Cell, heading: str, field: str, optional: bool) -> None:
    if optional:
        cell.p(f"{{%p if {field} %}}")
    cell.p(heading, "Heading 2")
    cell.p(f"{{%p for rad in {field} %}}")
    cell.p("{{ rad }}", "List Bullet")
    cell.p("{%p endfor %}")
    if optional:
        cell.p("{%p endif %}")


def _signatures(cell: _Cell, heading: str = "") -> None:
    if heading:
        cell.p(heading, "Heading 2")
    cell.p("{%p for u in underskrifter %}")
    cell.p("")
    cell.p("")
    cell.p("{{ u.namn }}", "Uppgift")
    cell.p("{{ u.titel }}", "Uppgift")
    cell.p("{%p endfor %}")


def _signed(doc: DocxDocument, optional_list: bool = False) -> None:
    """ "Beslutet skickas till" and the signatures, held together (see `_closing`)."""

    def body(cell: _Cell) -> None:
        _signed_list(cell, "Beslutet skickas till", "beslutet_skickas_till", optional_list)
        _signatures(cell)

    _closing(doc, body)


def _bullet_glyphs(doc: DocxDocument) -> None:
    """Bullets as `•` (U+2022) in the text font: python-docx's default is the Symbol font's
    private-use U+F0B7, which comes out of a PDF as an unknown character."""
    numbering = doc.part.numbering_part.element
    for level in numbering.iter(qn("w:lvl")):
        fmt, text = level.find(qn("w:numFmt")), level.find(qn("w:lvlText"))
        if fmt is None or fmt.get(qn("w:val")) != "bullet" or text is None:
            continue
        if all("\ue000" <= c <= "\uf8ff" for c in text.get(qn("w:val"), "")):
            text.set(qn("w:val"), "•")
            fonts = level.find(qn("w:rPr") + "/" + qn("w:rFonts"))
            if fonts is not None:
                for attr in ("w:ascii", "w:hAnsi", "w:cs"):
                    fonts.set(qn(attr), FONT)


def _table_cell(cell, text: str, bold: bool = False) -> None:  # noqa: ANN001 - python-docx cell
    cell.paragraphs[0].add_run(text).bold = bold or None
    width = cell._tc.tcPr.find(qn("w:tcW")) if cell._tc.tcPr is not None else None
    if width is not None:  # let the columns share the table width however many there are
        cell._tc.tcPr.remove(width)


def _tables(doc: DocxDocument) -> None:
    """Figures as real Word tables: one header row, then one row per row of data."""
    _p(doc, "{%p for tabell in tabeller %}")
    _p(doc, "{{ tabell.rubrik }}", "Heading 3")
    table = doc.add_table(rows=4, cols=3)
    table.style = doc.styles["Table Grid"]
    rows = table.rows
    for cell, text in zip(
        rows[0].cells,
        ("{%tc for k in tabell.kolumner %}", "{{ k }}", "{%tc endfor %}"),
        strict=True,
    ):
        _table_cell(cell, text, bold=True)
    _table_cell(rows[1].cells[0].merge(rows[1].cells[2]), "{%tr for rad in tabell.rader %}")
    for cell, text in zip(
        rows[2].cells, ("{%tc for cell in rad %}", "{{ cell }}", "{%tc endfor %}"), strict=True
    ):
        _table_cell(cell, text)
    _table_cell(rows[3].cells[0].merge(rows[3].cells[2]), "{%tr endfor %}")
    _p(doc, "{%p if tabell.kommentar %}")
    _p(doc, "{{ tabell.kommentar }}")
    _p(doc, "{%p endif %}")
    _p(doc, "{%p endfor %}")


def _tjansteskrivelse(doc: DocxDocument) -> None:
    _head(doc, "Tjänsteskrivelse", [], officers_optional=False)
    _decisions(doc, "Förslag till beslut", "förslag_till_beslut")
    _text(doc, "Sammanfattning", "sammanfattning")
    _text(doc, "Ärendet", "ärendet")
    _text(doc, "Ekonomiska konsekvenser", "ekonomiska_konsekvenser", optional=True)
    _bullets(doc, "Beslutsunderlag", "beslutsunderlag")
    _signed(doc)


def _yttrande(doc: DocxDocument) -> None:
    _head(doc, "Yttrande", ["Till: {{ mottagare }}"], officers_optional=False)
    _p(doc, "{%p if remiss %}")
    _p(doc, "Yttrande över: {{ remiss }}", "Uppgift")
    _p(doc, "{%p endif %}")
    _decisions(doc, "Förslag till beslut", "förslag_till_beslut")
    _text(doc, "Sammanfattning", "sammanfattning", optional=True)
    _text(doc, "Yttrande", "ärendet")
    _bullets(doc, "Beslutsunderlag", "beslutsunderlag")
    _signed(doc)


def _svar_pa_revisionsrapport(doc: DocxDocument) -> None:
    _head(doc, "Svar på revisionsrapport", [], officers_optional=False)
    # Below the title: a report's long name would end the letterhead as if it were prose.
    _p(doc, "Revisionsrapport: {{ revisionsrapport }}", "Uppgift")
    _decisions(doc, "Förslag till beslut", "förslag_till_beslut")
    _text(doc, "Sammanfattning", "sammanfattning", optional=True)
    _text(doc, "Bakgrund", "bakgrund")
    _p(doc, "Rekommendationer och svar", "Heading 2")
    _p(doc, "{%p for r in rekommendationer %}")
    _p(doc, "Rekommendation {{ loop.index }}", "Heading 3")
    _p(doc, "{{ r.rekommendation }}", bold=True)
    _p(doc, "Svar", bold=True)
    _p(doc, "{{ r.svar }}")
    _p(doc, "Åtgärd", bold=True)
    _p(doc, "{{ r.åtgärd }}")
    _p(doc, "Klart: {{ r.klart }}")
    _p(doc, "{%p endfor %}")
    _bullets(doc, "Beslutsunderlag", "beslutsunderlag")
    _signed(doc)


def _verksamhetsuppfoljning(doc: DocxDocument) -> None:
    _head(doc, "Verksamhetsuppföljning", ["Period: {{ period }}"], officers_optional=False)
    _decisions(doc, "Förslag till beslut", "förslag_till_beslut")
    _text(doc, "Sammanfattning", "sammanfattning")
    _text(doc, "Ärendet", "ärendet")
    _p(doc, "Uppföljning i siffror", "Heading 2")
    _tables(doc)
    _bullets(doc, "Beslutsunderlag", "beslutsunderlag")
    _signed(doc, optional_list=True)


def _protokollsutdrag(doc: DocxDocument) -> None:
    # A protocol is dated by its meeting; the extract's own date is in its certification.
    _head(
        doc,
        "Protokollsutdrag",
        ["Paragraf: § {{ paragraf }}"],
        officers_optional=True,
        date_line="Sammanträdesdatum: {{ sammanträdesdatum }}",
    )
    _text(doc, "Ärendebeskrivning", "ärendet", optional=True)
    _p(doc, "{%p if förslag_till_beslut %}")
    _p(doc, "Förslag till beslut", "Heading 2")
    _p(doc, "{%p for punkt in förslag_till_beslut %}")
    _p(doc, "{{ loop.index }}. {{ punkt }}")
    _p(doc, "{%p endfor %}")
    _p(doc, "{%p endif %}")
    _decisions(doc, "Beslut", "beslut")
    _bullets(doc, "Beslutsunderlag", "beslutsunderlag")
    _bullets(doc, "Beslutet skickas till", "beslutet_skickas_till")

    def signed(cell: _Cell) -> None:
        cell.p("Justering", "Heading 2")
        cell.p("Justerare: {{ justerare|join(', ') }}", "Uppgift")
        cell.p("Justeringsdatum: {{ justeringsdatum }}", "Uppgift")
        _signatures(cell, "Underskrifter")
        cell.p("")
        cell.p("Utdraget bestyrks: {{ förvaltning }}, {{ datum }}")

    _closing(doc, signed)


DATE = "Datum: {{ datum }}"
KINDS: dict[str, tuple[str, str, Callable[[DocxDocument], None]]] = {
    "tjansteskrivelse": ("Tjänsteskrivelse", DATE, _tjansteskrivelse),
    "yttrande": ("Yttrande", DATE, _yttrande),
    "svar-pa-revisionsrapport": ("Svar på revisionsrapport", DATE, _svar_pa_revisionsrapport),
    "verksamhetsuppfoljning": ("Verksamhetsuppföljning", DATE, _verksamhetsuppfoljning),
    "protokollsutdrag": (
        "Protokollsutdrag",
        "Sammanträdesdatum: {{ sammanträdesdatum }}, § {{ paragraf }}",
        _protokollsutdrag,
    ),
}


# Styles offered to staff beyond those the template uses (python-docx's blank document brings
# 160, mostly table styles, which make every generated file 800 kB larger and slower to write).
OFFERED_STYLES = (
    "Heading 1",
    "Heading 2",
    "Heading 3",
    "Title",
    "Subtitle",
    "List Bullet",
    "List Number",
    "List Paragraph",
    "No Spacing",
    "Quote",
    "Caption",
    "Strong",
    "Emphasis",
    "Table Grid",
)


def _prune(doc: DocxDocument) -> None:
    """Keep the styles in use, those offered above and what they are based on; drop Word 2010's
    duplicate style part and an empty custom XML part."""
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype.endswith(("/stylesWithEffects", "/customXml")):
            doc.part.drop_rel(rel_id)
    styles = doc.styles.element
    by_id = {s.get(qn("w:styleId")): s for s in styles.findall(qn("w:style"))}
    used = {doc.styles[name].style_id for name in OFFERED_STYLES}
    used |= {s.get(qn("w:styleId")) for s in by_id.values() if s.get(qn("w:default")) == "1"}
    parts = [doc.element, *(r.target_part.element for r in doc.part.rels.values()
                            if r.reltype in (RT.HEADER, RT.FOOTER))]  # fmt: skip
    for part in parts:
        for tag in ("w:pStyle", "w:rStyle", "w:tblStyle"):
            used |= {e.get(qn("w:val")) for e in part.iter(qn(tag))}
    pending = list(used)
    while pending:
        style = by_id.get(pending.pop())
        if style is None:
            continue
        for tag in ("w:basedOn", "w:link", "w:next"):
            ref = style.find(qn(tag))
            if ref is not None and ref.get(qn("w:val")) not in used:
                used.add(ref.get(qn("w:val")))
                pending.append(ref.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in used:
            styles.remove(style)


def build(slug: str) -> DocxDocument:
    kind_word, date_line, body = KINDS[slug]
    doc = Document()
    # python-docx's blank document carries a thumbnail of an empty page: drop it.
    for rel_id, rel in list(doc.part.package.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            doc.part.package.rels.pop(rel_id)
    _styles(doc)
    _bullet_glyphs(doc)
    _page(doc, kind_word, date_line)
    body(doc)
    _prune(doc)
    props = doc.core_properties
    props.title = f"Mall: {kind_word}"
    props.author = props.last_modified_by = "diarium"
    props.comments = "Platshållare skrivs {{ fält }}; fälten beskrivs i schema.yaml bredvid mallen."
    props.subject = props.keywords = props.category = ""
    props.language = "sv-SE"
    props.created = props.modified = dt.datetime(2024, 1, 1)
    props.revision = 1
    return doc


def _reproducible(doc: DocxDocument) -> bytes:
    """The .docx bytes with fixed zip timestamps, so an unchanged builder changes no file in git."""
    raw = io.BytesIO()
    doc.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zipped:
        for item in source.infolist():
            fixed = zipfile.ZipInfo(item.filename, date_time=(2024, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(fixed, source.read(item.filename))
    return out.getvalue()


def main(target: Path = BUILTIN_DIR) -> None:
    for slug in KINDS:
        path = target / slug / TEMPLATE_FILE
        path.write_bytes(_reproducible(build(slug)))
        print(path)


if __name__ == "__main__":
    main()
