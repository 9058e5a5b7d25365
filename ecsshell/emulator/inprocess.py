"""Answer a boto3 client's requests by calling the emulator's WSGI app in this thread, without HTTP.

The worlds are built through real boto3 clients (so they exercise the API ecsshell uses); sent over
a socket each call also pays the loopback round trip, werkzeug's request parsing and a switch to the
server thread. Here botocore's `before-send` event hands the signed request to the same app, with
the same recording, faults, throttle, shims and locks, and the app's answer goes back to botocore
to parse as if it came over the wire (moto's own decorator mode hooks the same event).
"""

from __future__ import annotations

import functools
import io
from typing import Any
from urllib.parse import urlsplit

from .wsgi import answer


class _Raw(io.BytesIO):
    """The body botocore reads from an HTTP response (urllib3's `stream`)."""

    def stream(self, **_: Any) -> Any:
        contents = self.read()
        while contents:
            yield contents
            contents = self.read()


def attach(client: Any, app: Any) -> Any:
    """Make CLIENT send its requests to the WSGI APP in-process (after its other before-send handlers)."""
    client.meta.events.register("before-send", functools.partial(_send, app), unique_id="ecsshell-in-process")
    return client


def _send(app: Any, request: Any, **_: Any) -> Any:
    from botocore.awsrequest import AWSResponse, HeadersDict
    from werkzeug.test import EnvironBuilder

    body = request.body
    if hasattr(body, "read"):
        body = body.read()
    if isinstance(body, str):
        body = body.encode("utf-8")
    headers = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()}
    url = urlsplit(request.url)
    path = url.path + (f"?{url.query}" if url.query else "")
    builder = EnvironBuilder(path=path or "/", base_url=f"{url.scheme}://{url.netloc}", method=request.method,
                             headers=headers, data=body or b"")
    try:
        environ = builder.get_environ()
    finally:
        builder.close()
    status, response_headers, out = answer(app, environ)
    answer_headers: Any = HeadersDict(response_headers)  # case-insensitive, as urllib3's headers are
    return AWSResponse(request.url, int(status.split(" ", 1)[0]), answer_headers, _Raw(out))
