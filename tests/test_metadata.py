"""Metadata rules: the seeds against their README (as text, DOCX and PDF), the corpus, the shapes.

The seed expectations are read from ../shared/seeds/README.md itself, so the tests check the
rules against what a person wrote down about the documents, not against the rules' own output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archive.extract import extract
from archive.metadata import profiles as profiles_module
from archive.metadata.profiles import ProfileError, load
from archive.metadata.reading import read_metadata
from archive.model import KINDS, Extraction, Page
from tests.fixtures import docx_to_pdf, soffice, text_to_docx

SEEDS = ("000", "001", "002", "003", "004")
# Seed 003 prints the municipality's postal address as a page footer in the middle of the text;
# the Word rendering puts it where Word keeps a footer.
FOOTER_003 = (r"^Postadress\t", r"^Lekebergs kommun 716 81")


def text_doc(text: str) -> Extraction:
    return Extraction(format="txt", pages=[Page(1, text)])


# --- the seeds, as the README describes them -------------------------------------------------


def readme_expectations(shared: Path) -> dict[str, dict[str, str | None]]:
    """The README's table, turned into the values the rules must read (None where it says so)."""
    rows: dict[str, dict[str, str | None]] = {}
    for line in (shared / "seeds" / "README.md").read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not re.match(r"\d{3}_", cells[0]):
            continue
        name, municipality, board, kind, date, case = cells
        named = re.fullmatch(r"(\w+?)(?:s kommun)?", municipality)
        rows[name[:3]] = {
            "file": name,
            "municipality": named.group(1) if named else None,
            "board": board,
            # "tjänsteskrivelse + bilaga: verksamhetsuppföljning" is a tjänsteskrivelse.
            "kind": re.split(r"\s*[:+]\s*", kind)[0],
            "date": date if re.fullmatch(r"\d{4}-\d\d-\d\d", date) else None,
            "case_number": None if case == "none" else case,
        }
    return rows


@pytest.fixture(scope="module")
def expected(shared_dir: Path) -> dict[str, dict[str, str | None]]:
    rows = readme_expectations(shared_dir)
    assert sorted(rows) == list(SEEDS)
    return rows


@pytest.fixture(scope="module")
def renderings(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each seed as .txt (as shipped), .docx, .docx with the letterhead in the page header."""
    out = tmp_path_factory.mktemp("seeds")
    files: dict[str, Path] = {}
    for seed in SEEDS:
        source = next((shared_dir / "seeds").glob(f"{seed}_*.txt"))
        text = source.read_text(encoding="utf-8")
        files[f"{seed}.txt"] = source
        files[f"{seed}.docx"] = text_to_docx(text, out / f"{seed}.docx", footer_patterns=FOOTER_003)
        # 000 and 002 start with their letterhead fields; a template keeps them in the header.
        header = {"000": 4, "002": 1}.get(seed, 0)
        files[f"{seed}.header.docx"] = text_to_docx(
            text, out / f"{seed}-header.docx", header_lines=header, footer_patterns=FOOTER_003
        )
    return files


@pytest.fixture(scope="module")
def pdf_renderings(renderings: dict[str, Path], tmp_path_factory: pytest.TempPathFactory):
    if soffice() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    docx = [renderings[f"{seed}.docx"] for seed in SEEDS]
    pdfs = docx_to_pdf(docx, tmp_path_factory.mktemp("seed-pdf"))
    return dict(zip(SEEDS, pdfs, strict=True))


def _check_seed(path: Path, want: dict[str, str | None]) -> None:
    metadata = read_metadata(extract(path))
    got = {key: getattr(metadata, key) for key in ("kind", "date", "case_number", "board")}
    assert got == {key: want[key] for key in got}, path.name
    assert metadata.municipality == want["municipality"], path.name


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("form", ["txt", "docx", "header.docx"])
def test_seed_metadata_from_text_and_word(
    seed: str, form: str, expected: dict, renderings: dict[str, Path]
) -> None:
    _check_seed(renderings[f"{seed}.{form}"], expected[seed])


@pytest.mark.libreoffice
@pytest.mark.parametrize("seed", SEEDS)
def test_seed_metadata_from_pdf(seed: str, expected: dict, pdf_renderings: dict) -> None:
    _check_seed(pdf_renderings[seed], expected[seed])


def test_seed_details_beyond_the_readme(shared_dir: Path) -> None:
    """Title, department, officers and sections, checked by reading the seeds."""
    seeds = {s: next((shared_dir / "seeds").glob(f"{s}_*.txt")) for s in SEEDS}
    m = {s: read_metadata(extract(path)) for s, path in seeds.items()}
    assert m["000"].title == "Uppföljning av individer i behov av försörjningsstöd"
    assert m["000"].officers == ["Julia Mårtensson"]
    assert m["000"].department is None  # named only in the running text
    assert [s.heading for s in m["000"].sections] == [
        "Ärendebeskrivning",
        "Förvaltningens yttrande",
        "Ekonomisk bedömning",
        "Förslag till beslut",
        "Beslutet ska skickas till",
    ]
    assert m["000"].sections[3].text == "Uppföljningen godkänns."
    assert m["001"].title.startswith("Yttrande med återkoppling till KPMG")
    assert m["001"].officers == ["Jessica Svanström"]
    assert m["002"].title == "Verksamhetsuppföljning ekonomiskt bistånd per maj 2023"
    assert m["002"].department == "Arbetsmarknadsförvaltningen"
    assert m["002"].officers == ["Emma Wallin", "Joakim Nordström"]
    proposal = next(s for s in m["002"].sections if s.heading == "Förslag till beslut")
    assert "lägga informationen till handlingarna" in proposal.text
    assert m["003"].title.startswith("Kommunstyrelsens svar på revisionsrapport – Granskning")
    answer = next(s for s in m["003"].sections if s.heading == "Svar på rekommendationer")
    assert "Punkt 5" in answer.text and "och dess resultat" in answer.text
    assert "Fjugesta" not in answer.text  # the page footer in the middle is furniture
    assert m["004"].department == "Social- och omsorgsförvaltningen"
    assert m["004"].officers == ["John Fristedt"]
    headings = [s.heading for s in m["004"].sections]
    assert headings[:3] == [
        "Förslag till social- och omsorgsnämndens beslut",
        "Ärende",
        "Beslutsunderlag",
    ]
    assert headings[-1] == "Beslutet skickas till"
    assert "Integrations- och" in m["004"].sections[-1].text


def test_nothing_is_guessed_for_the_seeds(shared_dir: Path) -> None:
    """000 and 001 name no municipality (a phone area code is no name); 004 names a region."""
    for seed in ("000", "001", "004"):
        path = next((shared_dir / "seeds").glob(f"{seed}_*.txt"))
        assert read_metadata(extract(path)).municipality is None
    path = next((shared_dir / "seeds").glob("003_*.txt"))
    assert read_metadata(extract(path)).date is None  # the year alone is no date


def test_the_municipality_a_person_gives_wins_and_is_canonical(shared_dir: Path) -> None:
    path = next((shared_dir / "seeds").glob("003_*.txt"))
    extraction = extract(path)
    assert read_metadata(extraction, municipality="Alingsås kommun").municipality == "Alingsås"
    assert read_metadata(extraction, municipality="lekeberg").municipality == "Lekeberg"
    assert read_metadata(extraction, municipality="Göteborgs Stad").municipality == "Göteborg"
    assert read_metadata(extraction, municipality="  Ny  Kommun ").municipality == "Ny Kommun"


# --- shapes of case numbers and dates, on letterheads written here ---------------------------

CASE_SHAPES = [
    "KS 2023/123",
    "KS-2023-00730",
    "AMN-2023-00096",
    "SON 2020-281",
    "2021.004 KUN",
    "KS/2018:443",
    "2014/304",
]
CASE_LABELS = ["Diarienummer", "Dnr", "Diariennr", "Vårt dnr", "DNR"]


def _letterhead(fields: str) -> str:
    return (
        "Socialförvaltningen\n"
        f"{fields}\n\n"
        "Socialnämnden\n\n"
        "Riktlinjer för ekonomiskt bistånd\n\n"
        "Förslag till beslut\n\n"
        "Socialnämnden beslutar att anta riktlinjerna.\n"
    )


@pytest.mark.parametrize("shape", CASE_SHAPES)
@pytest.mark.parametrize("label", CASE_LABELS)
@pytest.mark.parametrize("layout", ["{label}: {value}", "{label} {value}", "{label}:\n{value}"])
def test_case_number_shapes_after_each_label(label: str, shape: str, layout: str) -> None:
    fields = layout.format(label=label, value=shape)
    metadata = read_metadata(text_doc(_letterhead(fields)))
    assert metadata.case_number == shape
    assert metadata.board == "Socialnämnden"
    assert metadata.title == "Riktlinjer för ekonomiskt bistånd"


def test_dnr_written_before_the_number_is_not_part_of_it() -> None:
    assert read_metadata(text_doc(_letterhead("Diarienummer: Dnr 2014/304"))).case_number == (
        "2014/304"
    )


@pytest.mark.parametrize(
    "fields",
    [
        "Diarienummer: skriv nummer exempelvis KS/xxx:xx",  # a template left unfilled
        "Diarienummer:",
        "Direktr:\nDnr",
    ],
)
def test_no_case_number_where_the_letterhead_has_none(fields: str) -> None:
    assert read_metadata(text_doc(_letterhead(fields))).case_number is None


def test_a_case_number_quoted_in_the_body_is_not_the_documents() -> None:
    text = _letterhead("Datum: 2023-01-10") + "\nSe tidigare beslut, Dnr KS 2019/12.\n"
    assert read_metadata(text_doc(text)).case_number is None


@pytest.mark.parametrize(
    ("text", "date"),
    [
        (_letterhead("Datum: 2021-09-16"), "2021-09-16"),
        (_letterhead("Datum:\n2023-06-09"), "2023-06-09"),
        (_letterhead("Datum\t2023-06-09\tDnr\tKS 2023/1"), "2023-06-09"),
        (_letterhead("2021-08-15"), "2021-08-15"),
        (_letterhead("2011-03-28/rev 2011-05-24"), "2011-03-28"),
        (_letterhead("Datum: 16 september 2021"), "2021-09-16"),
        (_letterhead("Sammanträdesdatum: 2024-03-20"), "2024-03-20"),
        (_letterhead("") + "\nGöteborg den 1 september 2023\n\nAnna Berg\n", "2023-09-01"),
        (_letterhead("") + "\nFjugesta den 3 maj 2022.\n", "2022-05-03"),
    ],
)
def test_date_shapes(text: str, date: str) -> None:
    assert read_metadata(text_doc(text)).date == date


@pytest.mark.parametrize(
    "text",
    [
        _letterhead("Datum: 2021-02-30"),  # no such day
        _letterhead("") + "\nLänsstyrelsen har den 17 oktober 2023 beslutat.\n",
        _letterhead("") + "\nÄrendet bordläggs till sammanträdet den 28 januari 2026.\n",
        _letterhead("") + "\nKommunstyrelsen den 6 september 2023\n",  # a board, not a place
    ],
)
def test_no_date_where_the_text_gives_none(text: str) -> None:
    assert read_metadata(text_doc(text)).date is None


def test_date_in_a_word_page_header(tmp_path: Path) -> None:
    path = text_to_docx(
        "Datum 2023-06-09\n" + _letterhead("Dnr KS-2023-00730"), tmp_path / "a.docx", header_lines=1
    )
    metadata = read_metadata(extract(path))
    assert (metadata.date, metadata.case_number) == ("2023-06-09", "KS-2023-00730")


@pytest.mark.parametrize(
    ("text", "municipality"),
    [
        ("Lekebergs kommun\n\nText om ekonomiskt bistånd.", "Lekeberg"),
        ("HÖGSBY KOMMUN   Protokoll\n\nText.", "Högsby"),
        ("Göteborgs Stad Stadsledningskontoret\n\nText.", "Göteborg"),
        ("Andelen vuxna i Uppsala ökar.\nAntalet i Uppsala var 3447.", "Uppsala"),
        ("Samverkan med Region Uppsala och Region Östergötland.", None),
        ("Remissinstanser:\nAle kommun\nBorås kommun\nMalmö stad\nKiruna kommun", None),
        ("Det kan vara kommunens sak att ordna mark.", None),
        (
            "Sundsvalls kommun och Ånge kommun.\nSundsvalls kommun leder. Sundsvalls kommun",
            "Sundsvall",
        ),
    ],
)
def test_municipality_only_from_explicit_text(text: str, municipality: str | None) -> None:
    assert read_metadata(text_doc(text)).municipality == municipality


@pytest.mark.parametrize(
    ("title", "kind"),
    [
        ("Tjänsteskrivelse\n\nÖversyn av taxor", "tjänsteskrivelse"),
        ("Yttrande över remiss om detaljplan", "yttrande"),
        ("Kommunstyrelsens svar på revisionsrapport om bistånd", "svar på revisionsrapport"),
        ("Revisionsrapport\n\nGranskning av biståndshandläggning", "revisionsrapport"),
        ("Protokollsutdrag\n\nSammanträdesdatum 2023-05-02", "protokollsutdrag"),
        ("Sammanträdesprotokoll\n\nSammanträdesdatum 2023-05-02", "protokoll"),
        ("Verksamhetsuppföljning per maj 2023", "verksamhetsuppföljning"),
        ("Delårsrapport augusti 2023", "verksamhetsuppföljning"),
        ("Revisionsberättelse för år 2023", "annat"),
        ("Riktlinjer för mutor och jäv", "annat"),
    ],
)
def test_kind_rules(title: str, kind: str) -> None:
    text = f"Socialförvaltningen\n{title}\n\nBakgrund\n\nText om ärendet.\n"
    assert read_metadata(text_doc(text)).kind == kind


# --- the municipality data files ----------------------------------------------------------------


def test_case_number_pattern_and_footer_patterns_for_other_modules() -> None:
    pattern = profiles_module.case_number_pattern("Uppsala")
    for shape in CASE_SHAPES:
        assert pattern.fullmatch(shape), shape
    for wrong in ("KS/xxx:xx", "KS 2023/", "2023-06-09 KS", "skriv nummer"):
        assert not pattern.fullmatch(wrong), wrong
    assert profiles_module.case_number_pattern("Göteborg").fullmatch("SLK-2023-00027:45")
    footers = profiles_module.footer_patterns("Lekeberg")
    line = "Lekebergs kommun 716 81 Fjugesta Bangatan 7 Fjugesta 0585-487 00"
    assert any(p.match(line) for p in footers)
    assert not any(p.match(line) for p in profiles_module.footer_patterns("Botkyrka"))
    assert any(p.match(line) for p in profiles_module.footer_patterns(None))


def test_every_shipped_profile_is_valid_and_named_canonically() -> None:
    data = load()
    assert len(data.common["municipalities"]) == 290
    assert {p.name for p in data.profiles.values()} >= {
        "Alingsås",
        "Botkyrka",
        "Göteborg",
        "Högsby",
        "Kungsbacka",
        "Lekeberg",
        "Sundsvall",
        "Uppsala",
    }
    for profile in data.profiles.values():
        assert profile.name in data.common["municipalities"], profile.key
        assert data.canonical(f"{profile.name} kommun") == profile.name
    assert {rule.kind for rule in data.kind_rules} <= set(KINDS)


def test_a_users_folder_adds_municipalities_and_shapes(tmp_path: Path) -> None:
    (tmp_path / "ydre.yaml").write_text(
        "name: Ydre\nboards: [Samhällsbyggnadsnämnden]\ncase_number_shapes: ['YK\\d{3}-\\d{2}']\n",
        encoding="utf-8",
    )
    (tmp_path / "lekeberg.yaml").write_text("departments: [Kommunkansliet]\n", encoding="utf-8")
    data = load([tmp_path])
    assert data.canonical("Ydre kommun") == "Ydre"
    assert data.case_number_pattern("Ydre").fullmatch("YK123-23")
    assert not load().case_number_pattern("Ydre").fullmatch("YK123-23")
    assert "kommunkansliet" in data.rules("Lekeberg").departments
    assert "socialförvaltningen" in data.rules("Lekeberg").departments  # added to, not replaced
    text = "Kommunkansliet\nDnr YK123-23\n\nÖversyn av taxor\n\nBakgrund\n\nText.\n"
    metadata = read_metadata(text_doc(text), municipality="Ydre", profiles=data)
    assert metadata.case_number == "YK123-23"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("x.yaml", "name: [unclosed\n", "ogiltig YAML"),
        ("x.yaml", "name: X\nboard: [Y]\n", "okända nycklar board"),
        ("x.yaml", "boards: [Y]\n", "behöver `name:`"),
        ("x.yaml", "name: X\ncase_number_shapes: ['KS(']\n", "felaktigt mönster"),
        ("_common.yaml", "kinds: [{kind: beslut, title: ['x']}]\n", "`kind` måste vara en av"),
    ],
)
def test_a_broken_data_file_is_named_in_a_one_line_error(
    tmp_path: Path, name: str, content: str, reason: str
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load([tmp_path])
    message = str(caught.value)
    assert str(tmp_path / name) in message and reason in message and "\n" not in message


def test_a_users_kind_rule_comes_first(tmp_path: Path) -> None:
    (tmp_path / "_common.yaml").write_text(
        "kinds:\n  - kind: revisionsrapport\n    title: ['^revisionsberättelse']\n",
        encoding="utf-8",
    )
    text = "Stadsrevisionen\nRevisionsberättelse för år 2023\n\nBakgrund\n\nText.\n"
    assert read_metadata(text_doc(text)).kind == "annat"
    assert read_metadata(text_doc(text), profiles=load([tmp_path])).kind == "revisionsrapport"


# --- the corpus: values checked by reading the documents --------------------------------------

CORPUS = {
    "hogsby/Hogsby_KS_protokoll_2007-01-08.pdf": dict(
        kind="protokoll",
        date="2007-01-08",
        board="Kommunstyrelsen",
        municipality="Högsby",
        case_number=None,
    ),
    "botkyrka/Botkyrka_Riktlinjer_mot_mutor_och_jav_2013.md": dict(
        kind="annat",
        date="2013-12-13",
        case_number="KS/2013:635",
        municipality="Botkyrka",
        department="Kommunledningsförvaltningen",
        title="Riktlinjer mot mutor och jäv i Botkyrka kommun",
        officers=["Jannica Ifström", "Monika Blommark"],
    ),
    "botkyrka/Botkyrka_Kostpolicy_2011.md": dict(
        date="2011-03-28",
        case_number="UF/2011:71",
        municipality="Botkyrka",
        department="Utbildningsförvaltningen",
        title="Kostpolicy för Botkyrka kommun",
    ),
    # A template never filled in: "Diarienummer: skriv nummer exempelvis KS/xxx:xx".
    "botkyrka/Botkyrka_Regler_betal_och_drivmedelskort.md": dict(
        date=None,
        case_number=None,
        municipality="Botkyrka",
    ),
    "goteborg/dokument/intraservice_arsrapport_2025.txt": dict(
        kind="verksamhetsuppföljning",
        board="Nämnden för Intraservice",
        municipality="Göteborg",
        title="Årsrapport nämnder och styrelser 2025",
    ),
    "goteborg/dokument/intraservice-delarsrapport-2026-mars.pdf": dict(
        kind="verksamhetsuppföljning",
        board="Nämnden för Intraservice",
        municipality="Göteborg",
    ),
    "goteborg/dokument/stadsledningskontoret_punkt3.txt": dict(
        case_number="0451/23",
        title="Stadsledningskontorets digitaliseringsplan",
        municipality="Göteborg",
    ),
    # The contract numbers ("Dnr 0133/25") in this answer are the contracts', not its own.
    "goteborg/dokument/intraservice_ramavtal_svar.txt": dict(case_number=None, title=None),
    "goteborg/revision/revisionsberattelse_2023.pdf": dict(
        kind="annat",
        date="2024-04-09",
        board="Kommunfullmäktige",
        municipality="Göteborg",
        title="Revisionsberättelse avseende Göteborgs Stads verksamheter under 2023",
    ),
    "goteborg/revision/granskning_finansiering_likviditet.pdf": dict(
        kind="revisionsrapport",
        date="2026-04-29",
        board="Kommunstyrelsen",
        municipality="Göteborg",
    ),
    "goteborg/revision/Stadsrevisionens_rapportsammandrag_Anvandning_av_verksamhetsfordon_samt_inkop_av_drivmedel.pdf": dict(  # noqa: E501
        kind="revisionsrapport",
        municipality="Göteborg",
        title="Användning av verksamhetsfordon samt inköp av drivmedel",
    ),
    "goteborg/revision/Stadsrevisionens_rapportsammandrag_Granskning_av_arbetet_mot_hedersrelaterat_vald_och_fortryck.pdf": dict(  # noqa: E501
        kind="annat",
        title=None,
        municipality=None,
        date=None,  # a scan: no text to read
    ),
    "gov/regeringen_remiss-av-sou-201558-eu-och-kommunernas-bostadspolitik.md": dict(
        municipality=None,
        kind="annat",
    ),
    "sundsvall/Sundsvall_ai-flow_example-input_strategi_informationssakerhet.txt": dict(
        municipality="Sundsvall",
        kind="annat",
    ),
    "kungsbacka/docx/Bygglovshandlingar-API.docx": dict(kind="annat", title=None),
}


@pytest.fixture(scope="module")
def corpus_metadata(shared_dir: Path) -> dict[str, object]:
    corpus = shared_dir / "corpus"
    files = [
        p
        for p in sorted(corpus.rglob("*"))
        if p.suffix in (".pdf", ".docx", ".txt", ".md")
        and "lang" not in p.relative_to(corpus).parts
    ]
    return {str(p.relative_to(corpus)): read_metadata(extract(p)) for p in files}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_documents_read_as_a_person_reads_them(name: str, corpus_metadata: dict) -> None:
    metadata = corpus_metadata[name]
    for key, value in CORPUS[name].items():
        assert getattr(metadata, key) == value, f"{name}: {key}"


def test_goteborg_protocols(corpus_metadata: dict) -> None:
    protocols = {n: m for n, m in corpus_metadata.items() if n.startswith("goteborg/protokoll/")}
    assert len(protocols) == 8
    for name, metadata in protocols.items():
        organ, date = re.search(r"Goteborg_(kf|ks)-(\d{4}-\d\d-\d\d)", name).groups()
        assert (metadata.kind, metadata.date, metadata.municipality) == (
            "protokoll",
            date,
            "Göteborg",
        ), name
        # A protocol's title says what it is, when its page header prints the word.
        assert metadata.title in (None, f"Protokoll {metadata.board} {date}"), name
        assert metadata.case_number is None, name
        assert metadata.sections[0].heading.startswith("§"), name
        if organ == "kf":
            assert metadata.board == "Kommunfullmäktige", name
    # The executive board's protocols name it in their running header ("Göteborgs Stad
    # Kommunstyrelsen, protokoll") - except the 2026 one, whose text carries no such line.
    assert protocols["goteborg/protokoll/Goteborg_ks-2024-03-20.txt"].board == "Kommunstyrelsen"
    assert protocols["goteborg/protokoll/Goteborg_ks-2026-01-14.txt"].board is None


def test_goteborg_audit_summaries(corpus_metadata: dict) -> None:
    summaries = {n: m for n, m in corpus_metadata.items() if "rapportsammandrag" in n}
    assert len(summaries) == 11
    scan = "Stadsrevisionens_rapportsammandrag_Granskning_av_arbetet_mot_hedersrelaterat"
    for name, metadata in summaries.items():
        if scan in name:
            continue
        assert metadata.kind == "revisionsrapport", name
        assert metadata.municipality in ("Göteborg", None), name
        if metadata.title is not None:
            assert not metadata.title[0].islower() and not metadata.title.endswith("."), name


def test_every_corpus_document_gets_sane_metadata(corpus_metadata: dict) -> None:
    assert len(corpus_metadata) >= 50
    for name, metadata in corpus_metadata.items():
        assert metadata.kind in KINDS, name
        if metadata.date:
            assert "1990" <= metadata.date[:4] <= "2030", name
        if metadata.title:
            assert 2 <= len(metadata.title.split()) <= 40, name
        for section in metadata.sections:
            assert section.heading and not section.heading[0].islower(), name
