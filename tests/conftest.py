"""Shared fixtures: the fixture graph, and a runner for the real `kgtool` entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kgtool import KnowledgeGraph

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

Run = Callable[..., subprocess.CompletedProcess[Any]]


@pytest.fixture(scope="session")
def fixture_kg() -> KnowledgeGraph:
    """The small fixture graph with the fixture queries (never modified by a test)."""
    return KnowledgeGraph.load([FIXTURES / "graph"], queries=FIXTURES / "queries")


@pytest.fixture(scope="session")
def shipped_kg() -> KnowledgeGraph:
    """The shipped ontology and data."""
    return KnowledgeGraph.load()


@pytest.fixture(scope="session")
def kgtool() -> Run:
    """Run the installed `kgtool` console script on this source tree; returns the process.

    PYTHONPATH puts this tree first, so the script runs the code under test even when the
    installed package points elsewhere (as in a fresh CI clone).
    """
    script = shutil.which("kgtool")
    assert script, "the kgtool entry point is not installed: run `pip install -e .`"

    def run(
        *args: str,
        cwd: Path = REPO,
        columns: int = 100,
        check: int | None = 0,
        binary: bool = False,
    ) -> subprocess.CompletedProcess[Any]:
        """Run `kgtool ARGS`; assert the exit code is `check` (unless None); bytes if `binary`."""
        env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": str(columns), "PYTHONUTF8": "1"}
        done = subprocess.run(
            [script, *args], cwd=cwd, env=env, capture_output=True, text=not binary, timeout=300
        )
        if check is not None:
            assert done.returncode == check, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    return run
