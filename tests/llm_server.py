"""A real HTTP server that speaks the OpenAI chat API, for tests only (a language model
cannot run on the CI machine). Replies are scripted: text (streamed in pieces), status
codes, slow and broken streams, missing usage. Every request body is recorded."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    text: str = ""
    status: int = 200
    pieces: int = 4  # the text is streamed in about this many chunks
    delay_s: float = 0.0  # before each chunk
    break_after: int | None = None  # close the connection after this many chunks
    usage: bool = True
    finish: str = "stop"
    error: str = ""  # the error message of a non-200 reply
    retry_after: str = ""


@dataclass
class FakeChatServer:
    model: str = "fake-ko-7b"
    context: int = 4096
    replies: deque = field(default_factory=deque)
    requests: list = field(default_factory=list)
    fallback: Reply = field(default_factory=lambda: Reply("근거 문서를 찾지 못했습니다."))

    def start(self) -> FakeChatServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                if self.path.rstrip("/").endswith("/models"):
                    body = {
                        "object": "list",
                        "data": [
                            {"id": server.model, "object": "model", "max_model_len": server.context}
                        ],
                    }
                    return self._json(200, body)
                return self._json(404, {"error": {"message": "not found"}})

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("authorization", "")}
                )
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    return self._json(404, {"error": {"message": "not found"}})
                reply = server.replies.popleft() if server.replies else server.fallback
                if reply.status != 200:
                    headers = {"Retry-After": reply.retry_after} if reply.retry_after else {}
                    return self._json(
                        reply.status, {"error": {"message": reply.error or "fail"}}, headers
                    )
                if not body.get("stream"):
                    return self._json(200, self._completion(body, reply))
                self._stream(body, reply)

            def _completion(self, body, reply):
                out = {
                    "id": "cmpl-1",
                    "object": "chat.completion",
                    "model": server.model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.text},
                            "finish_reason": reply.finish,
                        }
                    ],
                }
                if reply.usage:
                    out["usage"] = {"prompt_tokens": 11, "completion_tokens": 7, "total_tokens": 18}
                return out

            def _stream(self, body, reply):
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                size = max(1, -(-len(reply.text) // max(1, reply.pieces)))
                chunks = [reply.text[i : i + size] for i in range(0, len(reply.text), size)]
                try:
                    for number, piece in enumerate(chunks):
                        if reply.break_after is not None and number >= reply.break_after:
                            self.wfile.flush()
                            self.connection.shutdown(2)
                            return
                        time.sleep(reply.delay_s)
                        self._event(
                            {
                                "model": server.model,
                                "choices": [
                                    {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                                ],
                            }
                        )
                    self._event(
                        {
                            "model": server.model,
                            "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish}],
                        }
                    )
                    if reply.usage:
                        self._event(
                            {
                                "model": server.model,
                                "choices": [],
                                "usage": {
                                    "prompt_tokens": 123,
                                    "completion_tokens": 45,
                                    "total_tokens": 168,
                                },
                            }
                        )
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _event(self, data):
                self.wfile.write(f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
                self.wfile.flush()

            def _json(self, status, body, headers=None):
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
