"""Shared fixtures of the arms tests: the invented fixture folder and stores built from it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tiewatch.arms.engine.datasets import Store

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The repo is cloned elsewhere in CI with shared/ beside it: <parent of repo>/shared/data/sipri.
SIPRI = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "sipri"


@pytest.fixture(scope="session")
def fixture_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open([FIXTURES], tmp_path_factory.mktemp("arms-cache"))


@pytest.fixture(scope="session")
def sipri_dir() -> Path:
    # Real-data tests must fail, not skip, when the shared data is missing (CONTRIBUTING.md).
    assert SIPRI.is_dir(), f"SIPRI data folder missing: {SIPRI}"
    return SIPRI


@pytest.fixture(scope="session")
def sipri_store(sipri_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    return Store.open([sipri_dir], tmp_path_factory.mktemp("arms-sipri-cache"))
