"""Everything a person reads from the CLI is Swedish: this reads what every test run printed.

tests/conftest.py records the output of every CliRunner run and every `python -m cli` process of
the session, and runs this module last; the commands' help texts and Click's own words (usage,
unknown options) are run here as well, so the check means something when run alone. Option names,
JSON keys, paths and document text are not messages and are left out of the check.
"""

from __future__ import annotations

import json
import re

import click
import pytest
from click.testing import CliRunner

from archive import messages as msg
from cli.main import cli
from tests.conftest import CLI_OUTPUT

# Common English words that are no Swedish words (so `in`, `man`, `by`, `all`, `index` are not
# here), and not diarium's command names, which a Swedish hint quotes.
ENGLISH = frozenset(
    """
    the and of to is are was were not no with this that from has have been will cannot could
    should would which there their these those file files folder folders documents found
    missing error errors warning failed added unchanged removed match matches showing usage
    options message exit invalid value values such option argument arguments try must be an
    into only also each every when where what it its you your please does did done already
    archive words word query field fields unknown required optional written wrote kept copied
    filed nothing empty page pages number numbers before after between without about while
    got expected but than then if else because
    """.split()  # noqa: SIM905 - a word list reads best as words
)
# `345,474`: thousands with a comma, English style (Swedish: a space).
ENGLISH_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?![\d,])")
QUOTED = re.compile(r"`[^`]*`|'[^']*'|\"[^\"]*\"|«[^»]*»")
TOKEN = re.compile(r"[A-Za-zÅÄÖåäöÉé]+")


def english_in(line: str) -> str | None:
    """Why `line` reads as English, or None. Quoted parts (values, queries, commands), paths,
    option names and words in capitals (OR, NOT, ID) do not count."""
    if ENGLISH_NUMBER.search(QUOTED.sub(" ", line)):
        return "thousands written with a comma"
    words = []
    for part in QUOTED.sub(" ", line).split():
        if part.startswith("-") or "/" in part or "_" in part or "@" in part or "=" in part:
            continue
        words += [w for w in TOKEN.findall(part) if not w.isupper()]
    hits = sorted({w.lower() for w in words} & ENGLISH)
    return f"English words {hits}" if len(hits) >= 2 else None


def _is_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    # list_commands/get_command, not `group.commands`: diarium's commands load when asked for.
    found = [prefix]
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
        else:
            found.append((*prefix, name))
    return found


@pytest.mark.parametrize(
    "line", ["1 documents match; showing 1–1", "345,474 byte", "Error: No such option"]
)
def test_the_check_finds_english(line: str) -> None:
    assert english_in(line)


@pytest.mark.parametrize(
    "line",
    [
        msg.MATCHES.format(documents=msg.count(1, "dokument"), first=1, last=1),
        msg.size(345474),
        "Fel: Ingen sådan flagga: '--x'.",
    ],
)
def test_the_check_lets_swedish_through(line: str) -> None:
    assert english_in(line) is None


def test_help_and_clicks_own_words_are_swedish(archive_dir) -> None:  # noqa: ANN001
    runner = CliRunner()
    outputs = []
    for command in _commands(cli):
        result = runner.invoke(cli, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        outputs.append(result.output)
    for args in (["--bogus"], ["show"], ["search", "--limit", "x", "a"], ["nosuch"]):
        result = runner.invoke(cli, args)
        assert result.exit_code == 2
        outputs.append(result.stderr)
    text = "\n".join(outputs)
    assert "Användning:" in text and "Flaggor:" in text and "Visa den här hjälpen" in text
    problems = [(line, why) for line in text.splitlines() if (why := english_in(line))]
    assert problems == []


def test_no_english_sentence_in_any_output_of_the_test_runs() -> None:
    """Every line the CLI printed in this session's tests, apart from JSON for scripts."""
    problems = []
    for test, command, text in CLI_OUTPUT:
        if not text or _is_json(text):
            continue
        for line in text.splitlines():
            why = english_in(line)
            if why:
                problems.append(f"{test}: diarium {command}: {line!r}: {why}")
    assert problems == [], "\n".join(dict.fromkeys(problems))
