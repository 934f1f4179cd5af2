"""A plain ``pip install .`` (the production image, a municipality's own server) carries every
file the code reads: each file in git under a package folder is matched by setup.py's
``package_data`` (an editable install hides a missing pattern: it reads the source tree).

Seen: the org map's script and pages.css were missing, so ``/`` was a 500 in the image.
"""
from __future__ import annotations

import ast
import glob
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Files no code reads at run time.
NOT_SHIPPED = ("README.md",)


def setup_keyword(name: str):
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"setup.py has no {name}=")


def package_folder(package: str, package_dir: dict[str, str]) -> Path:
    root = max((k for k in package_dir if package == k or package.startswith(k + ".")), key=len)
    rest = package[len(root):].lstrip(".")
    return ROOT / package_dir[root] / Path(*rest.split(".")) if rest else ROOT / package_dir[root]


def test_every_tracked_data_file_is_in_package_data():
    package_dir = setup_keyword("package_dir")
    shipped = set()
    for package, patterns in setup_keyword("package_data").items():
        folder = package_folder(package, package_dir)
        for pattern in patterns:
            shipped.update(Path(f).resolve() for f in glob.glob(str(folder / pattern),
                                                                 recursive=True))
    tracked = subprocess.run(["git", "ls-files", *package_dir.values()], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.split("\n")
    missing = [f for f in tracked if f and not f.endswith(".py")
               and os.path.basename(f) not in NOT_SHIPPED and (ROOT / f).resolve() not in shipped]
    assert not missing, "add to setup.py package_data:\n" + "\n".join(missing)
