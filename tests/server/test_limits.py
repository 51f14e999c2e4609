"""Request limits at the edge (hardening issue, defect 9), against a real `jisik serve`.

JSON bodies are limited to --max-json-kb whether or not they declare their size, uploads to
--max-request-mb; malformed framing and oversized heads are refused by the HTTP layer. Every
refusal is an application/problem+json document, and refusing a body keeps memory flat.
"""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from jisik.server.limits import MAX_HEAD_BYTES, Limit, RequestLimits, content_length
from tests.server.harness import add_user, cli, start, wait_for_job
from tests.server.rawhttp import PeakRss, chunked, endless_chunks, exchange, head

JSON_KB = 64
JSON_LIMIT = JSON_KB * 1000
UPLOAD_MB = 2
MAX_FILES = 3
# Refusing a body must not hold it: a few MB of slack for the interpreter, far below the body.
RSS_BOUND_MB = 24


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    home = tmp_path_factory.mktemp("limits") / "home"
    key = add_user(home, "root", "admin")
    cli(home, "groups", "add", "hr")
    server = start(
        home,
        "--max-json-kb",
        str(JSON_KB),
        "--max-request-mb",
        str(UPLOAD_MB),
        "--max-upload-files",
        str(MAX_FILES),
        "--rate-per-minute",
        "1000000",
    )
    yield server, key
    server.stop()


def _request(server, key: str, method: str, path: str, *headers) -> bytes:
    return head(
        method, path, f"127.0.0.1:{server.port}", ("Authorization", f"Bearer {key}"), *headers
    )


def _json_head(server, key, path="/v1/groups", *headers, method="POST") -> bytes:
    return _request(server, key, method, path, ("Content-Type", "application/json"), *headers)


def _assert_problem(reply, status: int, *words: str) -> dict:
    assert reply.status == status, reply
    assert reply.problem, reply.headers
    problem = reply.json()
    assert problem["status"] == status and problem["title"] and problem["trace_id"]
    for word in words:
        assert word in problem["detail"], problem["detail"]
    return problem


JSON_OPERATIONS = [
    ("POST", "/v1/ask"),
    ("POST", "/v1/chat/completions"),
    ("POST", "/v1/users"),
    ("POST", "/v1/groups"),
    ("PATCH", "/v1/documents/anything"),
    ("POST", "/v1/audit/lookup"),
    ("POST", "/v1/privacy/find"),
    ("POST", "/v1/privacy/verify"),
]


@pytest.mark.parametrize(("method", "path"), JSON_OPERATIONS)
def test_a_declared_oversized_json_body_is_refused_before_it_is_sent(limited, method, path):
    """Only the head is sent: the answer comes without the server waiting for any body."""
    server, key = limited
    request = _json_head(server, key, path, ("Content-Length", "400000000"), method=method)
    reply = exchange(server.port, request, timeout=10)
    _assert_problem(reply, 413, "400,000,000 bytes", f"--max-json-kb {JSON_KB}")
    assert reply.headers["connection"] == "close"  # the unread body is never read


def _padded(size: int) -> bytes:
    """A JSON body of exactly ``size`` bytes that the route rejects as invalid (cheap, no
    side effects): proof that it was read and parsed whole."""
    base = b'{"name": "!"}'
    return base + b" " * (size - len(base))


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    size=st.integers(min_value=len(_padded(0)), max_value=3 * JSON_LIMIT),
    piece=st.one_of(st.none(), st.integers(min_value=1, max_value=100_000)),
)
@example(size=JSON_LIMIT, piece=None)
@example(size=JSON_LIMIT + 1, piece=None)
@example(size=JSON_LIMIT, piece=4096)
@example(size=JSON_LIMIT + 1, piece=4096)
@example(size=JSON_LIMIT + 1, piece=1)
def test_json_bodies_are_served_up_to_the_limit_and_refused_past_it(limited, size, piece):
    """Any size, declared (piece None) or chunked in pieces of any size: at most the limit is
    read and validated (422 here), one byte more is a 413 problem document."""
    server, key = limited
    body = _padded(size)
    if piece is None:
        request = _json_head(server, key, "/v1/groups", ("Content-Length", str(size)))
        reply = exchange(server.port, request, [body])
    else:
        request = _json_head(server, key, "/v1/groups", ("Transfer-Encoding", "chunked"))
        reply = exchange(server.port, request, chunked(body, piece))
    if size <= JSON_LIMIT:
        _assert_problem(reply, 422, "name")
    else:
        _assert_problem(reply, 413, f"{JSON_LIMIT:,} bytes", "--max-json-kb")
        assert reply.headers["connection"] == "close"


@pytest.mark.slow
def test_an_endless_chunked_body_is_cut_off_and_memory_stays_flat(limited):
    """The attack of the issue: 400 MB to /v1/ask. The landed server read it all (+1.1 GB);
    now it hangs up after the limit, and the process barely grows while refusing it, again
    and again."""
    server, key = limited
    request = _json_head(server, key, "/v1/ask", ("Transfer-Encoding", "chunked"))
    exchange(server.port, request, endless_chunks(2 * JSON_LIMIT))  # warm the code path
    with PeakRss(server.process.pid) as rss:
        for _ in range(5):
            reply = exchange(server.port, request, endless_chunks(400_000_000))
            _assert_problem(reply, 413, "over 64,000 bytes", "--max-json-kb")
            assert reply.sent < 50_000_000, reply.sent  # hung up long before the end
    assert rss.growth_mb < RSS_BOUND_MB, rss.growth_mb


@pytest.mark.slow
def test_an_endless_chunked_upload_is_cut_off_at_the_upload_limit(limited):
    server, key = limited
    boundary = "jisikboundary"
    request = _request(
        server,
        key,
        "POST",
        "/v1/documents",
        ("Content-Type", f"multipart/form-data; boundary={boundary}"),
        ("Transfer-Encoding", "chunked"),
    )
    part = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=files; filename=big.txt\r\n"
        "Content-Type: text/plain\r\n\r\n"
    ).encode()

    def body():
        yield f"{len(part):x}\r\n".encode() + part + b"\r\n"
        yield from endless_chunks(400_000_000)

    with PeakRss(server.process.pid) as rss:
        reply = exchange(server.port, request, body())
    _assert_problem(reply, 413, f"{UPLOAD_MB * 1_000_000:,} bytes", "--max-request-mb")
    assert reply.sent < 100_000_000
    assert rss.growth_mb < RSS_BOUND_MB, rss.growth_mb


def test_an_upload_gets_the_upload_limit_not_the_json_limit(limited):
    """A file larger than a JSON body may be, sent chunked: accepted and ingested."""
    server, key = limited
    text = ("# 규정\n\n" + "연차휴가는 입사 1년 후 15일이 주어집니다.\n" * 3000).encode()
    assert JSON_LIMIT < len(text) < UPLOAD_MB * 1_000_000
    with server.client(key) as client:
        files = [("files", ("big.md", text, "text/markdown"))]
        built = httpx.Request("POST", f"{server.url}/v1/documents", files=files)
        built.read()
        content_type = built.headers["content-type"]
        payload = built.content

        def pieces():
            for start in range(0, len(payload), 50_000):
                yield payload[start : start + 50_000]

        response = client.post(
            "/v1/documents", content=pieces(), headers={"Content-Type": content_type}
        )
        assert response.status_code == 202, response.text
        assert wait_for_job(client, response.json())["state"] == "done"
        declared = client.post("/v1/documents", files=[("files", ("big2.md", text))])
        assert declared.status_code == 202, declared.text
        over = client.post("/v1/documents", files=[("files", ("big3.md", b"a" * 2_100_000))])
        assert over.status_code == 413 and over.headers["content-type"].startswith(
            "application/problem+json"
        )
        assert "--max-request-mb" in over.json()["detail"]


MALFORMED_LENGTHS = [
    [b"abc"],
    [b"-1"],
    [b"+5"],
    [b"1e3"],
    [b"0x10"],
    [b"5, 6"],
    [b"5", b"6"],  # two headers that disagree
    [b"\xd9\xa3"],  # an Arabic-Indic digit: not ASCII
    [b"9" * 5000],
    [b""],
    [b"1 2"],
]


@pytest.mark.parametrize("values", MALFORMED_LENGTHS, ids=lambda v: repr(v)[:30])
def test_a_malformed_content_length_is_a_400_problem_document(limited, values):
    server, key = limited
    lengths = [("Content-Length", value) for value in values]
    reply = exchange(server.port, _json_head(server, key, "/v1/groups", *lengths), timeout=10)
    _assert_problem(reply, 400, "Content-Length")
    assert reply.headers["connection"] == "close"


def test_a_repeated_identical_content_length_is_one_length(limited):
    """RFC 9110 §8.6 lets a recipient take "5, 5" as 5; h11 does, and so the body is read."""
    server, key = limited
    body = b'{"n":1}'
    length = str(len(body))
    request = _json_head(server, key, "/v1/groups", ("Content-Length", f"{length}, {length}"))
    _assert_problem(exchange(server.port, request, [body]), 422)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary(max_size=12), max_size=3))
def test_content_length_is_one_ascii_decimal_or_malformed(values):
    """The middleware's own check (it holds under any server, not only h11)."""
    try:
        declared = content_length(values)
    except ValueError:
        assert len(values) > 1 or not values[0].isascii() or not values[0].isdigit()
    else:
        if declared is None:
            assert values == []
        else:
            assert len(values) == 1 and values[0].isdigit() and declared == int(values[0])


def _call(middleware, method: str, path: str, headers: list[tuple[bytes, bytes]]) -> list[dict]:
    """One request through an ASGI middleware in-process; the messages it sent."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": headers,
        "state": {},
    }
    asyncio.run(middleware(scope, receive, send))
    return sent


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ([(b"x-padding", b"v" * MAX_HEAD_BYTES)], 431),
        ([(b"content-length", b"5"), (b"content-length", b"5")], 400),  # h11 merges these
        ([(b"content-length", b"5, 5")], 400),
        ([(b"content-length", b"1000001")], 413),
        ([(b"content-length", b"1000000")], 200),
    ],
)
def test_request_limits_hold_under_any_server(headers, status):
    """The checks h11 (usually) makes first, made by the middleware itself too: a complete
    head that arrived in one read, repeated lengths, under a server other than uvicorn."""

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    json_limit = Limit(1_000_000, "a JSON body", "--max-json-kb 1000", "send less")
    middleware = RequestLimits(app, json=json_limit, upload=json_limit, uploads=[])
    start = _call(middleware, "POST", "/v1/ask", headers)[0]
    assert start["status"] == status
    if status != 200:
        assert (b"content-type", b"application/problem+json") in start["headers"]


def test_a_head_over_the_limit_is_a_431_whether_complete_or_not(limited):
    server, key = limited
    big = [(f"X-Padding-{i}", "v" * 100) for i in range(MAX_HEAD_BYTES // 100)]
    request = _request(server, key, "GET", "/v1/documents", *big)
    at_once = exchange(server.port, request)  # h11 or RequestLimits, as the reads fall
    _assert_problem(at_once, 431, f"{MAX_HEAD_BYTES // 1024} KB")
    # The last line break never sent, so the head is still incomplete past the limit: h11's
    # own refusal, answered by ProblemH11Protocol.
    unfinished = exchange(server.port, request[:-2])
    problem = _assert_problem(unfinished, 431, f"{MAX_HEAD_BYTES // 1024} KB")
    assert problem["instance"].startswith("urn:uuid:")
    long_url = _request(server, key, "GET", "/v1/search?q=" + "a" * MAX_HEAD_BYTES)
    _assert_problem(exchange(server.port, long_url), 431)
    # Just under the limit is served, and so is the longest question in a URL.
    small = _request(server, key, "GET", "/v1/documents", ("X-Padding", "v" * 8000))
    assert exchange(server.port, small).status == 200
    with server.client(key) as client:
        longest = client.get("/v1/search", params={"q": "가" * 2000})  # 18 KB encoded
        assert longest.status_code == 200, longest.text


def test_other_unparseable_requests_are_problem_documents_too(limited):
    server, key = limited
    gzip = _json_head(server, key, "/v1/groups", ("Transfer-Encoding", "gzip"))
    _assert_problem(exchange(server.port, gzip), 501, "chunked")
    broken = b"GARBAGE\r\n\r\n"
    _assert_problem(exchange(server.port, broken), 400, "HTTP/1.1")
    bad_chunk = _json_head(server, key, "/v1/groups", ("Transfer-Encoding", "chunked"))
    reply = exchange(server.port, bad_chunk, [b"zz\r\nnot a chunk\r\n"])
    _assert_problem(reply, 400)


def _multipart(boundary: str, parts: list[tuple[dict, bytes]]) -> bytes:
    out = b""
    for disposition, content in parts:
        fields = "; ".join(f'{k}="{v}"' for k, v in disposition.items())
        out += f"--{boundary}\r\nContent-Disposition: form-data; {fields}\r\n\r\n".encode()
        out += content + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def _post_form(server, key, parts, *extra_headers):
    boundary = "b0undary"
    body = _multipart(boundary, parts)
    request = _request(
        server,
        key,
        "POST",
        "/v1/documents",
        ("Content-Type", f"multipart/form-data; boundary={boundary}"),
        ("Content-Length", str(len(body))),
        *extra_headers,
    )
    return exchange(server.port, request, [body])


FILE = ({"name": "files", "filename": "a.md"}, "# a\n\n연차는 15일입니다.".encode())


def test_upload_form_fields_are_bounded(limited):
    """The siblings of a JSON body inside an upload: reader-group fields are held in memory,
    so each is at most 4 kB and there are at most 256; files past the limit are refused."""
    server, key = limited
    huge_group = ({"name": "groups"}, b"g" * 5000)
    _assert_problem(_post_form(server, key, [FILE, huge_group]), 400, "4KB")
    many = [({"name": "groups"}, b"hr")] * 300
    _assert_problem(_post_form(server, key, [FILE, *many]), 400, "256")
    files = [({"name": "files", "filename": f"{i}.md"}, b"# x\n\ntext") for i in range(4)]
    _assert_problem(_post_form(server, key, files), 413, f"limit is {MAX_FILES}")
    far_too_many = [({"name": "files", "filename": f"{i}.md"}, b"# x") for i in range(50)]
    assert _post_form(server, key, far_too_many).status == 400  # the form parser's refusal
    long_part_header = b"X-Long: " + b"h" * 10_000
    boundary = "b0undary"
    body = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=files; filename=a.md\r\n".encode()
        + long_part_header
        + f"\r\n\r\n# a\r\n--{boundary}--\r\n".encode()
    )
    request = _request(
        server,
        key,
        "POST",
        "/v1/documents",
        ("Content-Type", f"multipart/form-data; boundary={boundary}"),
        ("Content-Length", str(len(body))),
    )
    reply = exchange(server.port, request, [body])
    assert 400 <= reply.status < 500 and reply.problem, reply
    accepted = _post_form(server, key, [FILE, ({"name": "groups"}, b"hr")])
    assert accepted.status == 202, accepted.body


def test_the_openapi_document_names_the_edge_refusals(limited):
    server, _ = limited
    schema = httpx.get(f"{server.url}/openapi.json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "413", "431"):
                response = operation["responses"][status]
                assert "application/problem+json" in response["content"], (method, path)
            assert "421" not in operation["responses"]  # dev mode only
    assert json.dumps(schema)  # still a JSON document
