"""The production Solr image (deploy/docker/solr/Dockerfile) builds the configset with
deploy/solr/make_configset.py, which reads files beside itself: each must be copied in.
(synonyms_ja.txt was not, and the image build stopped.)"""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_solr_image_copies_every_file_the_configset_script_reads():
    script = (ROOT / "deploy/solr/make_configset.py").read_text(encoding="utf-8")
    read_beside = set(re.findall(r'HERE / "([^"]+)"', script))
    assert {"solrconfig.xml", "synonyms_ja.txt"} <= read_beside
    dockerfile = (ROOT / "deploy/docker/solr/Dockerfile").read_text(encoding="utf-8")
    copied = {Path(word).name for line in dockerfile.splitlines()
              if line.startswith("COPY deploy/solr/") for word in line.split()[1:-1]}
    assert read_beside <= copied, read_beside - copied
