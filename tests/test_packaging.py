"""The sdist and the wheel, built once from this checkout as the README says (``python -m build``): they carry
the licence, every module, the report templates and the default workbooks, and the wheel works on its own."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(importlib.util.find_spec("build") is None,
                                reason="the build package is missing: pip install -e '.[test]'")


def shipped_files(folder: str, suffixes: tuple[str, ...] | None = None) -> list[str]:
    """The checkout's files under ``folder`` that a user needs (no caches), relative to ROOT."""
    return sorted(str(p.relative_to(ROOT)) for p in (ROOT / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
                  and (suffixes is None or p.suffix in suffixes))


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    """One build: the sdist, then the wheel built from that sdist (so the wheel proves the sdist complete).
    No isolation: the build tools come from the test extras, so nothing is downloaded."""
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(ROOT)],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return {"sdist": next(out.glob("xlcost-*.tar.gz")), "wheel": next(out.glob("xlcost-*.whl"))}


def test_the_wheel_carries_the_licence_every_module_the_templates_and_the_workbooks(dist):
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        names = set(wheel.namelist())
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        assert wheel.read(f"{info}/licenses/LICENSE") == (ROOT / "LICENSE").read_bytes()
        assert "License-Expression: MIT" in wheel.read(f"{info}/METADATA").decode()
    assert "Copyright (c) 2026 the xlcost authors" in (ROOT / "LICENSE").read_text()
    for path in shipped_files("xlcost"):  # modules of every package, and data files such as translations
        assert path in names, f"{path} is not in the wheel"
    for path in shipped_files("templates"):
        assert f"xlcost/{path}" in names, f"{path} is not in the wheel"
    workbooks = shipped_files("workbooks", (".xlsx", ".xlsm", ".py"))
    assert {"workbooks/llm_cost_model.xlsx", "workbooks/llm_cost_model.xlsm", "workbooks/llm_cost_model.py"} <= set(
        workbooks)
    for path in workbooks:
        assert f"xlcost/{path}" in names, f"{path} is not in the wheel"


def test_the_sdist_carries_the_licence_readme_templates_and_workbooks(dist):
    with tarfile.open(dist["sdist"]) as sdist:
        top = sdist.getnames()[0].split("/")[0]
        names = {n.removeprefix(f"{top}/") for n in sdist.getnames()}
    for path in ["LICENSE", "README.md", "pyproject.toml", *shipped_files("templates"),
                 *shipped_files("workbooks", (".xlsx", ".xlsm", ".py"))]:
        assert path in names, f"{path} is not in the sdist"


def test_the_wheel_works_without_the_repository(dist, tmp_path):
    site = tmp_path / "site"
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        wheel.extractall(site)  # a pure-Python wheel installs by unpacking
    probe = (
        "import sys, xlcost\n"
        "from importlib import resources\n"
        "from xlcost import api\n"
        f"assert xlcost.__file__.startswith({str(site)!r}), xlcost.__file__\n"
        "book = api.default_workbook()\n"
        f"assert str(book).startswith({str(site)!r}), book\n"
        "assert resources.files('xlcost.templates').joinpath('report.html.j2').is_file()\n"
        "print(book)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}  # ahead of the checkout's editable install
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    book = result.stdout.strip()
    check = subprocess.run([sys.executable, "-m", "xlcost", "check", book], capture_output=True, text=True,
                           cwd=tmp_path, env=env, timeout=120)
    assert check.returncode == 0 and "valid" in check.stdout, check.stderr
