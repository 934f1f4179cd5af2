"""The synonym file as Solr reads it (deploy/solr/make_configset.py), without Solr.

Solr parses synonym rules with the tokenizer alone, while a query is width-folded before
it (CJKWidthCharFilter), so make_configset folds the rules as well; production copies the
file written by ``--synonyms-only`` into a running core (README.md, "Search").
"""
from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "deploy" / "solr" / "make_configset.py"


@pytest.fixture(scope="module")
def configset():
    spec = importlib.util.spec_from_file_location("make_configset", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("rule", "folded"),
    [
        ("ＡＥＤ,自動体外式除細動器", "AED,自動体外式除細動器"),  # full-width Latin letters
        ("ｺﾞﾐ,ごみ", "ゴミ,ごみ"),  # half-width katakana, voiced mark joined
        ("無線ＬＡＮ,Ｗｉ－Ｆｉ", "無線LAN,Wi-Fi"),
    ],
)
def test_a_rule_is_folded_as_the_query_is(configset, rule, folded):
    assert configset.fold_width(rule) == folded


def test_synonyms_only_writes_the_file_the_core_reads_without_ckan(tmp_path):
    out = tmp_path / "synonyms_ja.txt"
    # No CKAN needed: production runs it with any Python 3 on the host. "-I -S" keeps the
    # venv's site-packages (and so ckan) out of reach.
    subprocess.run([sys.executable, "-I", "-S", str(SCRIPT), "--synonyms-only", str(out)],
                   check=True, capture_output=True)
    source = (SCRIPT.parent / "synonyms_ja.txt").read_text(encoding="utf-8")
    text = out.read_text(encoding="utf-8")
    assert "AED,自動体外式除細動器" in text
    assert len(text.splitlines()) == len(source.splitlines())
    assert not any("\uff01" <= c <= "\uff5e" or "\uff61" <= c <= "\uff9f" for c in text)
