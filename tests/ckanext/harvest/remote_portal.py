"""A local CKAN-API / data eye server for harvester tests and the benchmark (threads).

``Remote.datasets`` is a list the test changes between harvests; ``Remote.mode`` makes
the server misbehave: "broken" (not JSON), "500", "redirect" (to ``redirect_to``),
"page2-500" (the second search page fails).
"""
from __future__ import annotations

import http.server
import json
import socket
import threading
from urllib.parse import parse_qs, urlsplit


def dataset(i: int, modified: str = "2024-04-01T00:00:00.000000", org: str = "332020",
            **extra) -> dict:
    return {"id": f"remote-{i:05d}", "name": f"332020_ds{i}", "title": f"収集テスト{i}",
            "notes": "説明", "metadata_modified": modified, "license_id": "CC-BY-4.0",
            "organization": {"name": org, "title": "倉敷市"}, "tags": [{"name": "テスト"}],
            "groups": [], "resources": [{"url": f"https://data.example.jp/{i}.pdf",
                                         "name": f"file {i}", "format": "PDF"}], **extra}


class Remote:
    def __init__(self):
        self.datasets: list[dict] = []
        self.mode = ""
        self.redirect_to = "http://169.254.169.254/latest/meta-data/"
        self.requests = 0
        handler = self._handler()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def search(self, params: dict) -> dict:
        items = sorted(self.datasets, key=lambda d: (d["metadata_modified"], d["id"]))
        fq = params.get("fq", "")
        if fq.startswith("metadata_modified:["):
            low = fq.split("[", 1)[1].split(" TO", 1)[0].rstrip("Z")
            items = [d for d in items if (d["metadata_modified"] + ".000")[:23] >= low]
        start, rows = int(params.get("start", 0)), int(params.get("rows", 10))
        return {"count": len(items), "results": items[start:start + rows]}

    def _handler(self):
        remote = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send_json(self, value, status=200):
                body = json.dumps(value, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):  # noqa: N802
                remote.requests += 1
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if remote.mode == "500":
                    self.send_response(500)
                    self.end_headers()
                    return
                if remote.mode == "broken":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.end_headers()
                    self.wfile.write(b'{"success": true, "result": {"results": [')
                    return
                if remote.mode == "redirect":
                    self.send_response(302)
                    self.send_header("Location", remote.redirect_to)
                    self.end_headers()
                    return
                if parts.path == "/api/3/action/package_search":
                    if remote.mode == "page2-500" and int(params.get("start", 0)) + int(
                            params.get("fq", "") != "") > 0:
                        self.send_response(500)
                        self.end_headers()
                        return
                    return self.send_json({"success": True, "result": remote.search(params)})
                if parts.path == "/api/3/action/package_show":
                    for d in remote.datasets:
                        if params.get("id") in (d["id"], d["name"]):
                            return self.send_json({"success": True, "result": d})
                    return self.send_json({"success": False, "error": {}}, 404)
                if parts.path == "/ckan_api/package_list":
                    return self.send_json({"success": True,
                                           "result": [d["id"] for d in remote.datasets]})
                if parts.path == "/ckan_api/package_show":
                    for d in remote.datasets:
                        if str(d["id"]) == params.get("id"):
                            return self.send_json({"success": True, "result": d})
                    return self.send_json({"success": False}, 404)
                self.send_response(404)
                self.end_headers()

        return Handler


class Silent:
    """Accepts connections and never answers (a hung portal)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.held: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()
