"""deploy/stack.sh refuses to start over a problem and says so in one line."""
from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STACK = ROOT / "deploy" / "stack.sh"


def run_stack(command: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(STACK), command],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_port_in_use_fails_with_one_clear_line(tmp_path):
    # Another program holds the port a fresh data directory's PostgreSQL would use.
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        result = run_stack("services", REGIONALIOT_DATA=str(tmp_path / "data"), PG_PORT=str(port))

    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"FAILED: PostgreSQL: port 127.0.0.1:{port} is already in use by another program "
        "(set PG_PORT) (log: ss -ltnp)"
    ]
    assert "Portal:" not in result.stdout  # never reports success over a half-started stack


def test_unknown_command_prints_usage():
    result = run_stack("frobnicate")
    assert result.returncode == 64
    assert "usage:" in result.stdout
