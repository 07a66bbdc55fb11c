"""The `diarium` group loads a command's module only when that command is asked for, and still
knows every command: `diarium list` does not wait for Django, Word templates or search."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import click

from archive import Archive
from cli.main import LAZY_COMMANDS, cli

REPO = Path(__file__).resolve().parents[1]


def test_every_command_of_every_module_is_in_the_table_and_loads_by_its_name() -> None:
    ctx = click.Context(cli)
    for module in set(LAZY_COMMANDS.values()):
        names = {c.name for c in importlib.import_module(module).COMMANDS}
        assert names == {n for n, m in LAZY_COMMANDS.items() if m == module}, module
    assert cli.list_commands(ctx) == sorted(LAZY_COMMANDS)
    for name in LAZY_COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
        assert command.options_metavar == "[FLAGGOR]"


def test_list_imports_no_other_commands_module(tmp_path: Path) -> None:
    letter = tmp_path / "yttrande.txt"
    letter.write_text("Yttrande om skyfallshantering\n\nNämnden yttrar sig.\n", encoding="utf-8")
    archive = Archive(tmp_path / "archive")
    archive.ingest([letter], jobs=1)
    program = (
        "import json, sys\n"
        "from cli.main import cli\n"
        f"cli.main(['--archive', {str(archive.root)!r}, 'list'], standalone_mode=False)\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert "skyfallshantering" in run.stdout.casefold()
    loaded = set(json.loads(run.stdout.splitlines()[-1]))
    assert "cli.archive_cmds" in loaded
    others = {m for m in LAZY_COMMANDS.values() if m != "cli.archive_cmds"}
    assert loaded & {*others, "django", "docx", "docxtpl", "jinja2", "whoosh"} == set()
