"""The format-independent clean-up of extracted pages: page furniture and line-end hyphens."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from archive.extract import hyphenation
from archive.extract.furniture import remove_furniture
from archive.extract.hyphenation import join_hyphenated
from archive.model import Page

# The footer of seed 003 (Lekebergs kommun), as a text conversion leaves it: a label row and a
# value row, tab-separated.
LABELS = "Postadress\tGatuadress\tTelefon\tE-post\tHemsida\tOrganisationsnummer"
VALUES = (
    "Lekebergs kommun 716 81 Fjugesta\tBangatan 7 Fjugesta\t0585-487 00\t"
    "kontaktcenter@lekeberg.se\tlekeberg.se\t212000-2981"
)

_TOPICS = (
    ("Arbetsmarknadsinsatser", "praktikplatser", "AMI"),
    ("Närvarorapportering", "Procapita", "IFO"),
    ("Uppföljning", "Stratsys", "Finsam"),
    ("Försörjningsstöd", "ekonomiskt bistånd", "socialnämnden"),
)
# Four pages of body text, each with the heading "Bedömning" in its middle.
BODY = [
    "\n".join(
        [
            topic,
            f"Kommunstyrelsen har granskat arbetet med {topic.lower()}.",
            f"Rutinerna för {tool} har setts över under året.",
            f"Arbetet sker i samverkan med {partner}.",
            "Bedömning",
            f"Vi bedömer att {topic.lower()} fungerar delvis ändamålsenligt.",
            f"Rekommendationen om {tool} är genomförd.",
            f"{partner} följer upp åtgärderna.",
        ]
    )
    for topic, tool, partner in _TOPICS
]


def _pages(texts: list[str]) -> list[Page]:
    return [Page(n, text) for n, text in enumerate(texts, start=1)]


def test_running_header_and_seed_003_footer_removed() -> None:
    total = len(BODY)
    pages = _pages(
        [
            f"Kommunstyrelsen\nSvar på revisionsrapport {n} ({total})\n{body}\n{LABELS}\n{VALUES}"
            for n, body in enumerate(BODY, start=1)
        ]
    )
    result = remove_furniture(pages)
    assert [p.text for p in result.pages] == BODY
    assert result.header == ["Kommunstyrelsen", "Svar på revisionsrapport 1 (4)"]
    assert result.footer == [LABELS, VALUES]


def test_page_counter_shapes() -> None:
    shapes = ["{n} ({t})", "Sida {n} av {t}", "sida {n} ({t})", "{n}/{t}", "- {n} -", "{n}"]
    for shape in shapes:
        pages = _pages([f"{body}\n{shape.format(n=n, t=4)}" for n, body in enumerate(BODY, 1)])
        assert [p.text for p in remove_furniture(pages).pages] == BODY, shape
    # A counter at the top of the page, and on a one-page document.
    assert remove_furniture(_pages(["Sida 1 av 1\nBeslut\nNämnden beslutar."])).pages[0].text == (
        "Beslut\nNämnden beslutar."
    )


def test_bare_numbers_follow_the_page_order() -> None:
    # A cover without a number, then printed numbers one below the page order.
    texts = ["Årsredogörelse 2023\nStadsrevisionen"] + [
        f"{body}\n{n - 1}" for n, body in enumerate(BODY, start=2)
    ]
    result = remove_furniture(_pages(texts))
    assert [p.text for p in result.pages[1:]] == BODY
    # A number that ends a page's text but does not follow the pages is a value, not a counter.
    tables = [
        f"{topic}\n{count}" for (topic, _, _), count in zip(_TOPICS, (12, 30, 7, 9), strict=True)
    ]
    assert [p.text for p in remove_furniture(_pages(tables)).pages] == tables


def test_a_date_like_slash_is_not_a_counter() -> None:
    texts = ["Möte\n2/5", "Protokoll\nNästa möte 4/5"]
    assert [p.text for p in remove_furniture(_pages(texts)).pages] == texts


def test_repeated_body_heading_kept_but_running_lines_go() -> None:
    """ "Bedömning" is in the middle of every page: body text. Only the page ends are looked at."""
    result = remove_furniture(_pages(BODY))
    assert [p.text for p in result.pages] == BODY
    assert result.header == [] and result.footer == []


def test_lines_repeated_on_too_few_pages_stay() -> None:
    # A cover title that comes back on the last page of a ten-page report is not furniture.
    texts = [f"Sida {n}\nText {n}." for n in range(1, 11)]
    texts[0] = "Rapportsammandrag\n" + texts[0]
    texts[9] = texts[9] + "\nRapportsammandrag"
    result = remove_furniture(_pages(texts))
    assert result.pages[0].text.startswith("Rapportsammandrag")
    assert result.pages[9].text.endswith("Rapportsammandrag")


def test_single_page_letterhead_footer_in_the_middle_of_the_text() -> None:
    """Seed 003 as text: the footer stands between two pages' worth of text on one page."""
    text = (
        f"Punkt 5 -att kommunstyrelsen ser över arbetet\n{LABELS}\n{VALUES}\n\noch dess resultat."
    )
    result = remove_furniture(_pages([text]))
    assert (
        result.pages[0].text
        == "Punkt 5 -att kommunstyrelsen ser över arbetet\n\noch dess resultat."
    )
    assert result.footer == [LABELS, VALUES]


def test_municipality_footer_patterns() -> None:
    text = "Beslut\nNämnden beslutar.\nVälkommen till Fjugesta – en del av Lekebergs kommun"
    result = remove_furniture(_pages([text]), footer_patterns=[r"^Välkommen till \w+"])
    assert result.pages[0].text == "Beslut\nNämnden beslutar."
    assert result.footer == ["Välkommen till Fjugesta – en del av Lekebergs kommun"]


def test_layout_margins_decide_when_given() -> None:
    """With margins from a PDF, a running line in the middle of the text stream is found, and a
    repeated first line that is not in a margin stays."""
    texts = [f"Rapport\n{body}\nStadsrevisionen Göteborg\n{body}" for body in BODY]
    margins = [("", "Stadsrevisionen Göteborg")] * len(texts)
    result = remove_furniture(_pages(texts), margins=margins)
    assert [p.text for p in result.pages] == [f"Rapport\n{body}\n{body}" for body in BODY]
    assert result.footer == ["Stadsrevisionen Göteborg"] and result.header == []
    # Without margins, the first lines stand in for them: "Rapport" goes, the middle line stays.
    plain = remove_furniture(_pages(texts))
    assert all(p.text.startswith(BODY[p.number - 1]) for p in plain.pages)
    assert all("Stadsrevisionen Göteborg" in p.text for p in plain.pages)


# --- hyphenation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("bo-\nlagets uthyrning", "bolagets uthyrning"),  # a split word
        ("bo\ufffelagets uthyrning", "bolagets uthyrning"),  # pdfium's marker for the same
        ("Kultur-\noch fritidsnämnden", "Kultur-\noch fritidsnämnden"),
        ("vänte-\noch handläggningstider", "vänte-\noch handläggningstider"),
        ("vård\ufffeoch omsorg", "vård-\noch omsorg"),
        ("för-\neller nackdelar", "för-\neller nackdelar"),
        ("hälso-\nrespektive sjukvård", "hälso-\nrespektive sjukvård"),
        ("Göteborgs-\nRegionen", "Göteborgs-\nRegionen"),  # upper case: no join
        ("2022-12-\n13", "2022-12-\n13"),  # a date broken at its hyphen
        ("IT-\nsystemet", "IT-systemet"),  # abbreviation + word keeps its hyphen
        ("e-\npost", "e-post"),
        ("av-\nlopps-\nhanteringen", "avloppshanteringen"),  # two breaks in one word
        ("Kultur- och fritidsnämnden", "Kultur- och fritidsnämnden"),  # no line end: untouched
    ],
)
def test_join_hyphenated(text: str, expected: str) -> None:
    assert join_hyphenated(text) == expected


def test_ambiguous_tails_asked_to_the_lexicon() -> None:
    """ "men", "samt", "till" are conjunctions and also word endings; hunspell sv_SE decides."""
    if not (shutil.which("hunspell") and Path("/usr/share/hunspell/sv_SE.dic").is_file()):
        pytest.fail("hunspell with the sv_SE dictionary is needed (apt: hunspell hunspell-sv)")
    assert join_hyphenated("inom ra-\nmen för") == "inom ramen för"
    assert join_hyphenated("syste-\nmen") == "systemen"
    assert join_hyphenated("gemen-\nsamt ansvar") == "gemensamt ansvar"
    assert (
        join_hyphenated("både kort-\nmen också långsiktigt") == "både kort-\nmen också långsiktigt"
    )
    assert join_hyphenated("vård-\nsamt omsorg") == "vård-\nsamt omsorg"


def test_without_lexicon_ambiguous_tails_are_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hyphenation, "HUNSPELL", ("diarium-no-such-program",))
    monkeypatch.setattr(hyphenation, "_speller", None)
    hyphenation.is_word.cache_clear()
    try:
        assert hyphenation.is_word("ramen") is None
        assert join_hyphenated("inom ra-\nmen för") == "inom ramen för"
        assert join_hyphenated("Kultur-\noch fritidsnämnden") == "Kultur-\noch fritidsnämnden"
    finally:
        hyphenation.is_word.cache_clear()
