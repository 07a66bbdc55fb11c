"""Fixtures shared by the whole suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The real documents beside the checkout; CI always has them, a user's fresh clone does not."""
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared (real municipal documents) is not beside this checkout")
    return SHARED


@pytest.fixture()
def archive_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh archive folder, also set as DIARIUM_ARCHIVE so CLI runs use it."""
    root = tmp_path / "archive"
    monkeypatch.setenv("DIARIUM_ARCHIVE", str(root))
    return root
