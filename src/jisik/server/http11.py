"""uvicorn's HTTP/1.1 protocol (h11), answering unparseable requests with problem documents.

h11 refuses a malformed request (a Content-Length that is not one decimal integer, a head
still incomplete past ``MAX_HEAD_BYTES``, broken chunk framing …) before the application sees
it, and uvicorn then answers a bare ``text/plain`` 400 and drops the reason. This subclass keeps
h11's reason and answers with the status h11 suggests (400, 431 or 501) as RFC 9457 JSON, so
every error of the server has the same shape. It is also why ``jisik serve`` pins h11 rather
than letting uvicorn pick httptools when installed: the same limits and answers everywhere.
"""

from __future__ import annotations

import json
import logging
import uuid

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from jisik.server.limits import HEAD_TOO_LARGE, MALFORMED_LENGTH, MAX_HEAD_BYTES
from jisik.server.problems import PROBLEM_JSON, title_of

log = logging.getLogger(__name__)

_DETAILS = {
    431: HEAD_TOO_LARGE,
    501: "only 'Transfer-Encoding: chunked' is supported; send the body chunked or with a "
    "Content-Length",
}
_OTHER = (
    "the request is not valid HTTP/1.1 (request line, header syntax, Host, or chunk framing); "
    "send it with a standard HTTP client"
)


class _Connection(h11.Connection):
    """h11's connection, remembering why it refused the peer (uvicorn does not pass it on)."""

    error: h11.RemoteProtocolError | None = None

    def next_event(self):  # type: ignore[override]
        try:
            return super().next_event()
        except h11.RemoteProtocolError as exc:
            self.error = exc
            raise


class ProblemH11Protocol(H11Protocol):
    def __init__(self, config, server_state, app_state, _loop=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(config, server_state, app_state, _loop)
        self.conn = _Connection(h11.SERVER, config.h11_max_incomplete_event_size or MAX_HEAD_BYTES)

    def send_400_response(self, msg: str) -> None:
        error = self.conn.error if isinstance(self.conn, _Connection) else None
        if self.conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            # A response is already under way (a chunked body broke mid-request): no second one.
            self.transport.close()
            return
        status = error.error_status_hint if error is not None else 400
        if status not in _DETAILS:
            status = 400
        reason = str(error) if error is not None else msg
        if status == 400:
            detail = MALFORMED_LENGTH if "content-length" in reason.lower() else _OTHER
        else:
            detail = _DETAILS[status]
        trace_id = uuid.uuid4().hex
        # h11's reason can quote the request: the log has it, the answer does not.
        log.warning("unparseable request (trace %s): %s", trace_id, reason)
        title = title_of(status)
        body = json.dumps(
            {
                "type": "about:blank",
                "title": title,
                "status": status,
                "detail": detail,
                "instance": f"urn:uuid:{uuid.UUID(trace_id)}",  # no path: none was parsed
                "trace_id": trace_id,
            }
        ).encode()
        headers = [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
            (b"x-trace-id", trace_id.encode()),
            (b"x-content-type-options", b"nosniff"),
        ]
        for event in (
            h11.Response(status_code=status, headers=headers, reason=title.encode()),
            h11.Data(data=body),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event))
        self.transport.close()
