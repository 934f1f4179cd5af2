"""The portal's adapter to the validation engine and its link checks; no CKAN, no services.

Run with ``-p no:ckan -p no:ckan_fixtures`` (make test-unit).
"""
from __future__ import annotations

import csv
import socket
from pathlib import Path

import pytest
from ckanext.regionaliot.lib import fetch as download
from ckanext.regionaliot.validation import service as validation_service

SAMPLE = Path(__file__).resolve().parents[1] / "schemas" / "samples" / "legacy" / "aed.csv"


def cp932_sample(path, *, row: int, column: int, value: str):
    """The AED sample with one cell changed, saved as cp932 (as many municipalities do)."""
    rows = list(csv.reader(SAMPLE.open(encoding="utf-8")))
    rows[row][column] = value
    with path.open("w", encoding="cp932", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_valid_sample_report_has_no_server_path():
    report = validation_service.validate(SAMPLE, "aed")
    assert report["valid"] is True
    assert report["schema"] == "aed" and report["generation"] == "legacy"
    assert report["rows"] == 4
    assert "path" not in report


def test_invalid_file_gives_findings_with_rows_and_fields(tmp_path):
    bad = cp932_sample(tmp_path / "bad.csv", row=1, column=0, value="332021")
    report = validation_service.validate(bad, "aed")
    assert report["valid"] is False
    assert report["encoding"] == "cp932"
    error = next(e for e in report["errors"] if e["code"] == "lgcode-check-digit")
    assert error["row"] == 2 and error["field"] == "都道府県コード又は市区町村コード"
    assert "332020" in error["message"]


def test_findings_are_capped_but_counted(tmp_path):
    rows = list(csv.reader(SAMPLE.open(encoding="utf-8")))
    for row in rows[1:]:
        row[0] = "332021"
        row[19] = "○"
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    report = validation_service.validate(bad, "aed", max_findings=2)
    assert len(report["errors"]) + len(report["warnings"]) == 2
    assert report["counts"]["errors"] > 2
    assert report["truncated"] is True


@pytest.mark.parametrize("content", [b"", b"\x00\x01\x02\x03" * 200])
def test_unreadable_file_is_a_report_not_an_exception(tmp_path, content):
    path = tmp_path / "broken.csv"
    path.write_bytes(content)
    report = validation_service.validate(path, "aed")
    assert report["valid"] is False
    assert report["counts"]["errors"] == 1
    assert report["errors"][0]["code"].startswith("file-")
    assert report["errors"][0]["message"]


def test_unknown_schema_raises_our_exception():
    with pytest.raises(validation_service.UnknownSchema):
        validation_service.validate(SAMPLE, "no_such_dataset")


def test_normalize_writes_utf8_csv_with_fixes(tmp_path):
    source = cp932_sample(tmp_path / "in.csv", row=2, column=19, value="○")
    output = tmp_path / "out.csv"
    summary = validation_service.normalize(source, output, "aed")
    fixed = list(csv.reader(output.open(encoding="utf-8")))
    assert fixed[2][19] == "有"
    assert summary["encoding"] == "cp932" and "output" not in summary


def test_normalize_unreadable_raises_with_message(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(validation_service.Unreadable) as info:
        validation_service.normalize(path, tmp_path / "out.csv", "aed")
    assert info.value.message


def test_schema_choices_include_aed():
    assert ("aed", "AED設置箇所一覧") in validation_service.schema_choices()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/x.csv",
    "http://localhost:8983/solr/",
    "http://10.0.0.5/data.csv",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/x.csv",
    "http://[::ffff:127.0.0.1]/x.csv",
    "file:///etc/passwd",
    "ftp://example.com/x.csv",
    "gopher://127.0.0.1:6379/",
    "http:///nohost",
])
def test_hostile_links_are_refused(url):
    with pytest.raises(download.DownloadError) as info:
        download.check_url(url, allow_private=False)
    assert info.value.msgid  # a message for staff, translated when shown


@pytest.mark.parametrize("url", [
    # urlsplit sees example.com, but requests (urllib3) connects to 127.0.0.1
    "http://127.0.0.1:5000\\@example.com/x.csv",
    "http://127.0.0.1\\@example.com/x.csv",
    # IPv6 forms that carry a loopback IPv4 address (is_global is True for them)
    "http://[::7f00:1]/x.csv",
    "http://[2002:7f00:1::]/x.csv",
    "http://[64:ff9b::a9fe:a9fe]/x.csv",
    "http://[fec0::1]/x.csv",
])
def test_links_whose_real_host_is_private_are_refused(url, monkeypatch):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):  # no DNS in tests: example.com is public
        if host == "example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.215.14", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    download.check_url("http://example.com/x.csv", allow_private=False)  # the stub is public
    with pytest.raises(download.DownloadError):
        download.check_url(url, allow_private=False)


def test_private_links_can_be_allowed_by_config():
    download.check_url("http://127.0.0.1/x.csv", allow_private=True)
    with pytest.raises(download.DownloadError):
        download.check_url("file:///etc/passwd", allow_private=True)


@pytest.fixture
def listener():
    """A TCP listener on 127.0.0.1 that counts the connections it accepts."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            accepted.append(conn)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "localhost"])
def test_fetch_refuses_before_connecting(listener, host):
    port, accepted = listener
    with pytest.raises(download.DownloadError) as info:
        download.fetch(f"http://{host}:{port}/x.csv", limit=10, timeout=1, allow_private=False)
    assert "private or local" in info.value.msgid or "resolved" in info.value.msgid
    assert accepted == []
    # The listener is real: the same URL allowed does connect.
    with pytest.raises(download.DownloadError):
        download.fetch(f"http://127.0.0.1:{port}/x.csv", limit=10, timeout=1, allow_private=True)
    assert len(accepted) == 1


@pytest.fixture
def local_server():
    """A tiny HTTP server on 127.0.0.1: /data (2,000 bytes), /redirect-private → /data."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path == "/data":
                body = b"a" * 2000
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            elif self.path == "/redirect-private":
                self.send_response(302)
                self.send_header("Location", "http://10.0.0.1/data")
                self.end_headers()
            else:
                self.send_response(404)
                self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_fetch_caps_the_download_and_hashes_it(local_server, tmp_path):
    whole = download.fetch(local_server + "/data", limit=5000, timeout=5, allow_private=True,
                           directory=str(tmp_path))
    assert whole.complete and whole.size == 2000
    import hashlib
    assert whole.sha256 == hashlib.sha256(b"a" * 2000).hexdigest()
    whole.remove()
    part = download.fetch(local_server + "/data", limit=100, timeout=5, allow_private=True,
                          directory=str(tmp_path))
    assert not part.complete and part.size <= 100
    part.remove()
    assert list(tmp_path.iterdir()) == []


def test_fetch_reports_http_errors(local_server):
    with pytest.raises(download.DownloadError) as info:
        download.fetch(local_server + "/missing", limit=100, timeout=5, allow_private=True)
    assert info.value.params == {"status": 404}


def test_redirects_are_checked_hop_by_hop(local_server, monkeypatch):
    # The first hop is allowed (as if public); the redirect to 10.0.0.1 must still be refused.
    real = download.check_url
    calls = []

    def check(url, allow_private):
        calls.append(url)
        return real(url, allow_private=url.startswith(local_server))

    monkeypatch.setattr(download, "check_url", check)
    with pytest.raises(download.DownloadError) as info:
        download.fetch(local_server + "/redirect-private", limit=100, timeout=5,
                       allow_private=False)
    assert calls == [local_server + "/redirect-private", "http://10.0.0.1/data"]
    assert "private" in info.value.msgid
