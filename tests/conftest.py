"""Shared fixtures: where the repository, its example scenarios and fixtures live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top folder (for paths like scenarios/en/sales.yaml)."""
    return REPO


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    """The bundled example scenarios (scenarios/en, scenarios/ru)."""
    return REPO / "scenarios"
