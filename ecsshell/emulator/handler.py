"""The emulator's HTTP request handler: keep-alive connections, and the CPU each request costs.

werkzeug's handler ends every response with `Connection: close`, so each call of a client pays a new
TCP connection, which a benchmark then measures instead of the client. This handler speaks HTTP/1.1
and keeps the connection open unless the client asked to close it (every reply of the emulator
carries a Content-Length, or werkzeug chunks it). It also counts accepted connections and the thread
CPU time spent on each request, in the world's recorder.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

from werkzeug.serving import WSGIRequestHandler

from .recorder import Recorder
from .wsgi import answer


class Connections:
    """The connections open now, so that stopping the server can close them (their threads then end)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()

    def add(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.add(conn)

    def discard(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.discard(conn)

    def close_all(self) -> None:
        with self._lock:
            conns, self._open = list(self._open), set()
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)


def keep_alive_handler(recorder: Recorder, connections: Connections) -> type[WSGIRequestHandler]:
    """Return a request handler class that keeps connections alive and reports to RECORDER."""

    class KeepAlive(WSGIRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def setup(self) -> None:
            super().setup()
            recorder.connected()
            connections.add(self.connection)

        def finish(self) -> None:
            connections.discard(self.connection)
            super().finish()

        def handle_one_request(self) -> None:
            start = time.thread_time()
            try:
                super().handle_one_request()
            finally:
                recorder.add_cpu(time.thread_time() - start)

        def run_wsgi(self) -> None:
            # werkzeug's own run_wsgi closes every connection and then drains the socket (waiting
            # 10 ms), which would swallow the next request of a kept-alive connection. The emulator's
            # app reads exactly Content-Length bytes and answers one buffered body, so this is enough.
            environ = self.make_environ()
            bearer = self.headers.get("x-amz-sso_bearer_token")  # werkzeug drops names with "_": the SSO portal's
            if bearer is not None:
                environ["HTTP_X_AMZ_SSO_BEARER_TOKEN"] = bearer
            if environ.get("wsgi.input_terminated"):  # a chunked request body: read to its end, then close
                self.close_connection = True
            try:
                status, headers, body = answer(self.server.app, environ, self.wfile.write)  # the app never writes
            except Exception as exc:  # the emulator's own bug: say so, as werkzeug would, and hang up
                self.server.log("error", f"Error on request: {exc!r}")
                status, headers, body = "500 Internal Server Error", [("Content-Type", "text/plain")], b"error"
                self.close_connection = True
            code, _, reason = status.partition(" ")
            self.send_response(int(code), reason)
            for key, value in headers:
                if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_request(self, *args: Any, **kwargs: Any) -> None:  # werkzeug's per-request log line
            return

    return KeepAlive
