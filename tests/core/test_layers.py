"""The layering contract (pyproject.toml, import-linter) holds, breaks on a wrong import, and
docs/architecture.md describes the same layers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def _contract_layers() -> list[list[str]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    return [
        [name.strip(" ()").removeprefix("phongdich.") for name in re.split(r"[|:]", layer)]
        for layer in layers
    ]


def _lint(src: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(  # noqa: S603
        [str(LINT), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=src.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _copy_package(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(
        ROOT / "src" / "phongdich",
        src / "phongdich",
        ignore=shutil.ignore_patterns(
            "__pycache__", "static", "templates", "locale", "data", "fonts"
        ),
    )
    return src


def test_the_tree_keeps_every_contract(tmp_path):
    result = _lint(_copy_package(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_layers(tmp_path):
    src = _copy_package(tmp_path)
    models = src / "phongdich" / "checkpoints" / "models.py"
    models.write_text(models.read_text() + "\nfrom phongdich.tracing import models as _up\n")
    result = _lint(src)
    assert result.returncode != 0
    assert "phongdich.checkpoints is not allowed to import phongdich.tracing" in result.stdout


def test_django_in_lib_breaks_its_contract(tmp_path):
    src = _copy_package(tmp_path)
    phones = src / "phongdich" / "lib" / "phones.py"
    phones.write_text(phones.read_text() + "\nimport django.db\n")
    result = _lint(src)
    assert result.returncode != 0
    assert "phongdich.lib is not allowed to import django" in result.stdout


def test_a_sibling_import_breaks_independence(tmp_path):
    src = _copy_package(tmp_path)
    module = src / "phongdich" / "tracing" / "windows.py"
    module.write_text(module.read_text() + "\nfrom phongdich.vaccination import series as _side\n")
    result = _lint(src)
    assert result.returncode != 0
    assert "phongdich.tracing is not allowed to import phongdich.vaccination" in result.stdout


def _documented_layers() -> list[list[str]]:
    """The app table of docs/architecture.md: '| n | `app`, `app` | ...' rows, top to bottom."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    table = text.split("<!-- layers -->")[1].split("<!-- /layers -->")[0]
    layers = []
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and cells[0].isdigit():
            layers.append(re.findall(r"`([a-z_.]+)`", cells[1]))
    return layers


def test_the_architecture_doc_lists_the_contract_layers_in_order():
    documented = _documented_layers()
    contract = _contract_layers()
    assert documented, "docs/architecture.md has no layer table between <!-- layers --> marks"
    assert [sorted(layer) for layer in documented] == [sorted(layer) for layer in contract]


def test_every_installed_app_of_the_project_is_in_a_layer():
    from django.conf import settings

    layered = {name for layer in _contract_layers() for name in layer}
    ours = [
        a.removeprefix("phongdich.") for a in settings.INSTALLED_APPS if a.startswith("phongdich.")
    ]
    assert ours
    assert set(ours) <= layered
