"""A local server of harvest source documents (DCAT pages, オープンデータ一覧 files) for the
DCAT and 一覧 harvester tests (a thread; 127.0.0.1 only).

``Files.routes`` maps a path to (status, content type, body bytes); a test changes it between
harvests. ``Files.redirect(path, location)`` answers that path with a 302.
"""
from __future__ import annotations

import http.server
import threading


class Files:
    def __init__(self):
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.requests: list[str] = []
        files = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802
                files.requests.append(self.path)
                status, kind, body = files.routes.get(self.path, (404, "text/plain", b"not found"))
                self.send_response(status)
                if status in (301, 302):
                    self.send_header("Location", kind)
                else:
                    self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def redirect(self, path: str, location: str) -> None:
        self.routes[path] = (302, location, b"")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
