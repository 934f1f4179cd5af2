"""`make restore STACK=production` into a fresh stack (run by deploy/production/test.sh
after test_failover.py made a backup of the first stack, then tore it down with its
volumes and started a new one): every dataset and every uploaded file comes back.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import test_failover
from test_failover import ROOT, replica_ready, search_count, snapshot, wait_until

STATE = os.environ.get("PROD_STATE", "")

pytestmark = pytest.mark.skipif(not (STATE and Path(STATE).is_file()),
                                reason="run by deploy/production/test.sh after test_failover.py")


def test_make_restore_into_a_fresh_stack_returns_every_dataset_and_file(monkeypatch):
    saved = json.loads(Path(STATE).read_text(encoding="utf-8"))
    # A fresh stack: nothing of the first one is there before the restore.
    assert search_count() == 0
    out = subprocess.run(["make", "-s", "-C", str(ROOT), "restore", "STACK=production",
                          f"FILE={saved['archive']}"], capture_output=True, text=True, timeout=1800)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    # The first stack's token: its user and token rows are back, signed with the same key.
    monkeypatch.setattr(test_failover, "TOKEN", saved["token"])
    for service in ("web1", "web2"):  # restarted by the restore
        wait_until(f"{service} back after the restore", 300, lambda s=service: replica_ready(s))
    restored = snapshot()
    assert restored == saved["state"]
