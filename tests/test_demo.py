"""`make demo` (scripts/demo.sh) ends with a command to paste; pasted elsewhere, it works."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.templates_helpers import REPO, needs_libreoffice


@pytest.mark.libreoffice
@needs_libreoffice
def test_the_demos_closing_hint_works_when_pasted(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DIARIUM_")}
    program = Path(sys.executable).parent / "diarium"
    demo = subprocess.run(
        ["bash", "scripts/demo.sh", str(tmp_path / "demo")],
        cwd=REPO,
        env=env | {"DIARIUM": str(program)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert demo.returncode == 0, demo.stderr[-2000:]
    hint = demo.stdout.rstrip().splitlines()[-1].strip()
    assert " --archive " in hint and hint.endswith(" --text")
    # Pasted into a shell of its own, elsewhere, with no archive in the environment.
    pasted = subprocess.run(
        ["bash", "-c", hint], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert pasted.returncode == 0, pasted.stderr
    assert "--- sida 1 ---" in pasted.stdout
