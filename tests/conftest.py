"""Shared fixtures: the fixture graph, and a runner for the real `kgtool` entry point."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kgtool import KnowledgeGraph, ValidationReport

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
def shipped_report(shipped_kg: KnowledgeGraph) -> ValidationReport:
    """The shipped graph validated against the shipped shapes (pySHACL takes seconds)."""
    return shipped_kg.validate()


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


# ----------------------------------------------------------------------------------------------
# A real `kgtool serve` process (tests/test_server.py, tests/test_browser.py)


class Server:
    """A `kgtool serve` process started on a free port; `url` is its address (no trailing /)."""

    def __init__(self, *args: str, startup: float = 90.0) -> None:
        import re
        import threading

        script = shutil.which("kgtool")
        assert script, "the kgtool entry point is not installed: run `pip install -e .`"
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUTF8": "1"}
        self.process = subprocess.Popen(
            [script, "serve", "--host", "127.0.0.1", "--port", "0", *args],
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.log: list[str] = []
        announced = threading.Event()
        found: list[str] = []

        def drain() -> None:  # keeps reading, so the server never blocks on a full pipe
            assert self.process.stderr is not None
            for line in self.process.stderr:
                self.log.append(line)
                address = re.search(r"SPARQL endpoint (http://\S+)/sparql", line)
                if address and not found:
                    found.append(address.group(1))
                    announced.set()
            announced.set()

        threading.Thread(target=drain, daemon=True).start()
        announced.wait(startup)
        if not found:
            self.stop()
            raise RuntimeError("kgtool serve did not start:\n" + "".join(self.log))
        self.url = found[0]

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    def stop(self) -> int:
        """SIGTERM, then wait (SIGKILL after 20 s); returns the exit code."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode


@pytest.fixture(scope="session")
def server() -> Any:
    """The real `kgtool serve` on 127.0.0.1 and a free port, with the shipped graph."""
    running = Server()
    yield running
    running.stop()
