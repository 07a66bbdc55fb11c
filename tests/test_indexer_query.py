"""The query language: what each piece of syntax means and the errors for what it cannot read."""

from __future__ import annotations

import pytest

from indexer import QueryError
from indexer.query import (
    And,
    CaseNumber,
    FieldMatch,
    Not,
    Or,
    Range,
    Text,
    case_digits_key,
    case_key,
    parse,
)


def test_words_are_all_required_unless_or_is_used() -> None:
    assert parse("långvarigt försörjningsstöd") == And(
        (Text("långvarigt"), Text("försörjningsstöd"))
    )
    assert parse("a OR b c") == Or((Text("a"), And((Text("b"), Text("c")))))
    assert parse("a AND b") == parse("a b")
    assert parse("") is None and parse("   ") is None


def test_phrases_exclusions_groups_and_fields() -> None:
    assert parse('"ekonomiskt bistånd" -uppsala NOT lekeberg') == And(
        (
            Text("ekonomiskt bistånd", phrase=True),
            Not(Text("uppsala")),
            Not(Text("lekeberg")),
        )
    )
    assert parse("(a OR b) c") == And((Or((Text("a"), Text("b"))), Text("c")))
    assert parse('kind:"svar på revisionsrapport"') == FieldMatch(
        "kind", "svar på revisionsrapport"
    )
    assert parse("Municipality:Uppsala") == FieldMatch("municipality", "Uppsala")
    assert parse("-kind:yttrande bistånd") == And(
        (Not(FieldMatch("kind", "yttrande")), Text("bistånd"))
    )
    # A hyphen inside a word is part of it; one standing alone is punctuation.
    assert parse("socialtjänst-ekonomiskt - bistånd") == And(
        (Text("socialtjänst-ekonomiskt"), Text("bistånd"))
    )


def test_ranges() -> None:
    assert parse("year:2021..2023") == Range("year", "2021", "2023")
    assert parse("year:2021") == Range("year", "2021", "2021")
    assert parse("year:..2020") == Range("year", None, "2020")
    assert parse("date:2023-05") == Range("date", "2023-05", "2023-05")
    assert parse("date:2023-01-01..2023-06-30") == Range("date", "2023-01-01", "2023-06-30")


def test_case_numbers_typed_in_free_text() -> None:
    assert parse("KS 2023-730") == CaseNumber("KS 2023-730")
    assert parse("2021.004 KUN beslut") == And((CaseNumber("2021.004 KUN"), Text("beslut")))
    assert parse("AMN-2023-00096") == CaseNumber("AMN-2023-00096")
    # Lower-case words beside a number are words, not a case series.
    assert parse("beslut 2023-730") == And((Text("beslut"), CaseNumber("2023-730")))


def test_case_keys_ignore_separators_padding_and_order() -> None:
    assert case_key("KS-2023-00730") == case_key("KS 2023-730") == case_key("2023/730 ks")
    assert case_key("KS-2023-00730") == "ks-2023-730"
    assert case_key("2021.004 KUN") == case_key("KUN 2021.4") == "kun-2021-4"
    assert case_key("SON 2020-281") != case_key("SON 2020-282")
    assert case_digits_key("KS-2023-00730") == "2023-730"


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('"ekonomiskt bistånd', 'avslutande citattecken (") saknas'),
        ('kind:"yttrande', 'avslutande citattecken (") saknas'),
        ("foo:bar", "okänt fält 'foo:'"),
        ("kind:", "'kind:' saknar värde"),
        ("OR bistånd", "OR behöver något att söka efter före sig"),
        ("bistånd OR", "OR behöver något att söka efter sig"),
        ("bistånd AND", "AND behöver något att söka efter på båda sidor"),
        ("NOT", "NOT behöver något att utesluta"),
        ("(bistånd", "')' saknas"),
        ("bistånd)", "')' utan motsvarande '('"),
        ("()", "tom grupp"),
        ('""', "tom fras"),
        ("year:20x1", "inget fyrsiffrigt år"),
        ("year:2023..2021", "börjar efter att det slutar"),
        ("date:2023-13-01", "är inte ÅÅÅÅ, ÅÅÅÅ-MM eller ÅÅÅÅ-MM-DD"),
        ("date:..", "behöver minst en ände"),
    ],
)
def test_what_the_parser_cannot_read_is_named(query: str, message: str) -> None:
    with pytest.raises(QueryError) as error:
        parse(query)
    assert message in str(error.value)
    assert "\n" not in str(error.value) and repr(query) in str(error.value)
