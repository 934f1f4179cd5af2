"""The production CKAN image (deploy/docker/Dockerfile) installs only what the portal runs:
deploy/requirements.txt's lines above "# Tests and tooling", with CKAN's [requirements]
extra and not its [dev] one. The native stack and CI install the whole file."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# requirements.txt's own development lines (pytest comes with CKAN's [dev] extra).
DEV_TOOLS = {"hypothesis", "playwright", "ruff"}


def name(line: str) -> str:
    return re.split(r"[\[=<>~!; ]", line, maxsplit=1)[0].lower()


def requirements(lines: list[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def runtime_and_dev() -> tuple[list[str], list[str]]:
    """Split requirements.txt as the Dockerfile's sed does (by the marker it names)."""
    dockerfile = (ROOT / "deploy/docker/Dockerfile").read_text(encoding="utf-8")
    marker = re.search(r"sed -e '/\^(# [^/]+)/,\$d'", dockerfile)
    assert marker, "the Dockerfile no longer cuts requirements.txt at a marker line"
    lines = (ROOT / "deploy/requirements.txt").read_text(encoding="utf-8").splitlines()
    cut = [i for i, line in enumerate(lines) if line.startswith(marker.group(1))]
    assert len(cut) == 1, f"requirements.txt needs exactly one line starting {marker.group(1)!r}"
    return requirements(lines[:cut[0]]), requirements(lines[cut[0]:])


def test_the_image_installs_no_test_or_lint_tools():
    runtime, dev = runtime_and_dev()
    assert DEV_TOOLS <= {name(line) for line in dev}
    assert not (DEV_TOOLS | {"pytest"}) & {name(line) for line in runtime}
    ckan = [line for line in runtime if name(line) == "ckan"]
    assert len(ckan) == 1 and ckan[0].startswith("ckan[requirements,dev]=="), ckan
    dockerfile = (ROOT / "deploy/docker/Dockerfile").read_text(encoding="utf-8")
    # The image's ckan line loses the dev extra; the native stack keeps it (its tests need it).
    assert r"s/^ckan\[requirements,dev\]/ckan[requirements]/" in dockerfile
    assert "pip install -r /tmp/requirements-runtime.txt" in dockerfile


def test_everything_below_the_marker_is_a_development_tool():
    # A runtime dependency added at the end of the file would be left out of the image.
    _, dev = runtime_and_dev()
    assert {name(line) for line in dev} <= DEV_TOOLS, sorted({name(line) for line in dev} - DEV_TOOLS)
