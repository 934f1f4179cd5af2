"""Front-end libraries for the CKAN image, without node or npm in the build.

Downloads each tarball package-lock.json pins from the npm registry, checks it against the
lock file's integrity hash, and copies the same files deploy/stack.sh install_frontend copies
out of `npm ci` into the plugins' assets/vendor/ folders.

Usage: python3 frontend.py REPOSITORY_ROOT
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
CORE = "ckanext-regionaliot/ckanext/regionaliot/assets/vendor"
DATASTORE = "ckanext-regionaliot/ckanext/regionaliot/datastore/assets/vendor"
# (package, file in the package, destination folders): as deploy/stack.sh install_frontend.
FILES = [
    ("leaflet", name, [f"{CORE}/leaflet", f"{DATASTORE}/leaflet"])
    for name in ("dist/leaflet.js", "dist/leaflet.css", "dist/images", "LICENSE")
] + [
    ("leaflet.markercluster", name, [f"{DATASTORE}/leaflet.markercluster"])
    for name in ("dist/leaflet.markercluster.js", "dist/MarkerCluster.css",
                 "dist/MarkerCluster.Default.css", "MIT-LICENCE.txt")
]


def fetch(name: str, version: str, integrity: str) -> tarfile.TarFile:
    url = f"{REGISTRY}/{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:
        data = response.read()
    algo, _, expected = integrity.partition("-")
    got = base64.b64encode(hashlib.new(algo, data).digest()).decode()
    if got != expected:
        sys.exit(f"frontend: {name} {version}: integrity mismatch with package-lock.json")
    return tarfile.open(fileobj=io.BytesIO(data), mode="r:gz")


def main() -> None:
    root = Path(sys.argv[1])
    lock = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    work = Path("/tmp/frontend")
    for name in sorted({pkg for pkg, _, _ in FILES}):
        entry = lock[f"node_modules/{name}"]
        with fetch(name, entry["version"], entry["integrity"]) as tar:
            # Debian 12's Python 3.11.2 may predate extraction filters (PEP 706).
            if hasattr(tarfile, "data_filter"):
                tar.extractall(work / name, filter="data")
            else:
                tar.extractall(work / name)  # noqa: S202 - checked by the lock file's hash
    for folder in {dest for _, _, dests in FILES for dest in dests}:
        shutil.rmtree(root / folder, ignore_errors=True)
    for name, inside, dests in FILES:
        source = work / name / "package" / inside
        for dest in dests:
            target = root / dest / Path(inside).name
            target.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, target)
            else:
                shutil.copy2(source, target)


if __name__ == "__main__":
    main()
