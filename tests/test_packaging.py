"""The wheel: built from this tree, installed into a fresh virtual environment, run from there.

The environment reuses the system's site-packages for the dependencies (no downloads), so the
test checks that the `kgtool` it runs is the wheel's, not this source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from kgtool.catalog import READERS

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    wheels = list(out.glob("kgtool-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtual environment with the wheel installed; returns its bin folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(system_site_packages=True, with_pip=True).create(env_dir)
    bin_dir = env_dir / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return bin_dir


def _run(bin_dir: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, check=True, timeout=600
    )


def test_wheel_carries_the_data_files(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    expected = {
        "ttl": [n for n in names if n.startswith("kgtool/ontology/") and n.endswith(".ttl")],
        "data": [n for n in names if n.startswith("kgtool/data/") and n.endswith(".ttl")],
        "queries": [n for n in names if n.startswith("kgtool/queries/") and n.endswith(".rq")],
    }
    for reader in READERS[1:]:
        folder = f"kgtool/queries/{reader}/"
        expected[reader] = [
            n for n in names if n.startswith(folder) and "/" not in n[len(folder) :]
        ]
    for kind, found in expected.items():
        assert found, f"the wheel has no {kind} files"
    for path in (REPO / "queries").rglob("*.rq"):
        assert f"kgtool/queries/{path.relative_to(REPO / 'queries').as_posix()}" in names
    assert not [n for n in names if n.endswith(".rq") and not n.startswith("kgtool/queries/")]
    assert "kgtool/ontology/kgtool.ttl" in names
    assert "kgtool/data/article.txt" in names
    assert "kgtool/py.typed" in names
    for path in (REPO / "queries").glob("*.rq"):
        assert f"kgtool/queries/{path.name}" in names
    for path in (REPO / "data").glob("*.ttl"):
        assert f"kgtool/data/{path.name}" in names
    for shipped in (
        "kgtool/ontology/labels-zh-hans.ttl",
        "kgtool/ontology/labels-zh-hans-overrides.toml",
        "kgtool/data/labels-zh-hans.ttl",
        "kgtool/server/static/yasgui/yasgui.min.js",
        "kgtool/server/static/yasgui/yasgui.min.css",
        "kgtool/server/static/yasgui/LICENSES.txt",
        "kgtool/release-templates/description.ttl",
        "kgtool/docs/translations.toml",
    ):
        assert shipped in names, shipped
    licences = {Path(n).name for n in names if ".dist-info/licenses/" in n}
    assert licences >= {"LICENSE", "LICENSE-DATA", "NOTICE", "LICENSES.txt"}


def test_installed_wheel_runs(installed: Path, tmp_path: Path) -> None:
    where = _run(installed, "python", "-c", "import kgtool; print(kgtool.__file__)", cwd=tmp_path)
    assert where.stdout.strip().startswith(str(installed.parent)), where.stdout
    article = _run(
        installed,
        "python",
        "-c",
        "from kgtool.resources import source_text; print(source_text('article.txt')[:12])",
        cwd=tmp_path,
    )
    assert "DeepSeek" in article.stdout
    stats = _run(installed, str(installed / "kgtool"), "stats", cwd=tmp_path)
    assert stats.stdout.startswith("triples   ") and "data/" in stats.stdout
    answer = _run(
        installed,
        str(installed / "kgtool"),
        "query",
        "measures-reaching",
        "--param",
        "target=DeepSeek",
        "--format",
        "csv",
        cwd=tmp_path,
    )
    header, *rows = answer.stdout.splitlines()
    assert header.startswith("measure,measureLabel,status,")
    assert any("International Emergency Economic Powers Act" in row for row in rows)
    listing = _run(installed, str(installed / "kgtool"), "queries", cwd=tmp_path)
    assert "measures-reaching" in listing.stdout
    _run(installed, str(installed / "kgtool"), "release", "--out", "release", cwd=tmp_path)
    checked = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path / "release", capture_output=True
    )
    assert checked.returncode == 0 and checked.stdout.count(b": OK") == 7
