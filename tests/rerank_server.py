"""A real HTTP server that speaks the rerank APIs (TEI ``/rerank`` and the Cohere/Jina
style ``/v1/rerank``), for tests only: no cross-encoder runs on the CI machine. A
passage's score is the number of the configured words it contains; errors, slowness and
malformed answers can be scripted. Every request body is recorded."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class FakeRerankServer:
    words: tuple[str, ...] = ()  # what makes a passage relevant here
    status: int = 200
    delay_s: float = 0.0
    malformed: bool = False
    requests: list = field(default_factory=list)

    def score(self, text: str) -> float:
        return float(sum(text.count(w) for w in self.words))

    def start(self) -> FakeRerankServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                server.requests.append(
                    {"path": self.path, "body": body, "auth": self.headers.get("authorization", "")}
                )
                time.sleep(server.delay_s)
                if server.status != 200:
                    return self._json(server.status, {"error": "scripted failure"})
                if server.malformed:
                    return self._json(200, {"unexpected": True})
                if self.path == "/rerank":  # TEI
                    texts = body["texts"]
                    ranked = sorted(
                        ({"index": i, "score": server.score(t)} for i, t in enumerate(texts)),
                        key=lambda item: -item["score"],
                    )
                    return self._json(200, ranked)
                if self.path == "/v1/rerank":  # Cohere / Jina / vLLM
                    docs = body["documents"]
                    results = sorted(
                        (
                            {"index": i, "relevance_score": server.score(d)}
                            for i, d in enumerate(docs)
                        ),
                        key=lambda item: -item["relevance_score"],
                    )[: body.get("top_n") or len(docs)]
                    return self._json(200, {"model": body.get("model", ""), "results": results})
                return self._json(404, {"error": "not found"})

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                try:
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout being tested)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
