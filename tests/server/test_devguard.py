"""`jisik serve --dev` serves only loopback Hosts and takes changes only from its own origin
(hardening issue, defect 10): DNS rebinding and cross-site forms against a real dev server.

On the landed server `Host: evil.example` with a cross-site Origin could create an admin
without a key; every refused row of the tables below was served (200/201) there.
"""

from __future__ import annotations

import re

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jisik.server.devguard import LOOPBACK_NAMES, host_allowed, loopback_names, same_origin
from tests.server.harness import add_user, start
from tests.server.rawhttp import exchange, head


@pytest.fixture(scope="module")
def dev(tmp_path_factory):
    home = tmp_path_factory.mktemp("dev") / "home"
    server = start(home, "--dev")
    yield server
    server.stop()


_names = iter(range(10_000))


def _group() -> str:
    return f"g{next(_names)}"


def _send(server, method: str, path: str, host: str | None, *headers, body: bytes = b""):
    host = None if host is None else host.replace("PORT", str(server.port))
    headers = [(n, v.replace("PORT", str(server.port))) for n, v in headers]
    if host is None:  # HTTP/1.0 allows leaving Host out
        lines = [f"{method} {path} HTTP/1.0".encode()]
        lines += [f"{n}: {v}".encode() for n, v in headers]
        request = b"\r\n".join(lines) + b"\r\n\r\n"
    else:
        request = head(method, path, host, *headers)
    return exchange(server.port, request, [body] if body else [], timeout=30)


def _create_group(server, host, *headers):
    name = _group()
    body = f'{{"name": "{name}"}}'.encode()
    reply = _send(
        server,
        "POST",
        "/v1/groups",
        host,
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        *headers,
        body=body,
    )
    return name, reply


def _exists(server, group: str) -> bool:
    return httpx.get(f"{server.url}/v1/groups/{group}").status_code == 200


def _exists_with(server, key: str, group: str) -> bool:
    with server.client(key) as client:
        return client.get(f"/v1/groups/{group}").status_code == 200


def _assert_refused(reply, status: int) -> None:
    assert reply.status == status, reply
    assert reply.problem, reply.headers
    assert "--dev" in reply.json()["detail"]


SERVED_HOSTS = [
    "127.0.0.1:PORT",
    "127.0.0.1",
    "localhost:PORT",
    "localhost",
    "LocalHost:PORT",
    "[::1]:PORT",
    "[::1]",
    "127.0.0.1:1",  # another port on this machine is still this machine
]
REFUSED_HOSTS = [
    "evil.example",
    "evil.example:PORT",
    "127.0.0.1.evil.example",
    "localhost.evil.example:PORT",
    "localhost.",
    "127.0.0.2:PORT",
    "0.0.0.0:PORT",
    "[::ffff:127.0.0.1]:PORT",
    "[::1]evil",
    "127.0.0.1:PORT:PORT",
    "127.0.0.1:",
    "",
    None,  # no Host at all
]


@pytest.mark.parametrize("host", SERVED_HOSTS)
def test_loopback_hosts_are_served(dev, host):
    assert _send(dev, "GET", "/v1/documents", host).status == 200
    name, reply = _create_group(dev, host)
    assert reply.status == 201, reply
    assert _exists(dev, name)


@pytest.mark.parametrize("host", REFUSED_HOSTS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_other_hosts_are_misdirected_and_change_nothing(dev, host, method):
    """DNS rebinding: the browser sends the attacker's name as Host."""
    if method == "GET":
        reply = _send(dev, "GET", "/v1/documents", host)
        _assert_refused(reply, 421)
        assert b"documents" not in reply.body.replace(b"/v1/documents", b"")
    else:
        name, reply = _create_group(dev, host)
        _assert_refused(reply, 421)
        assert not _exists(dev, name)


def test_health_checks_need_a_loopback_host_too(dev):
    _assert_refused(_send(dev, "GET", "/healthz", "evil.example"), 421)
    assert _send(dev, "GET", "/healthz", "localhost:PORT").status == 200


H = "127.0.0.1:PORT"
SAME = "http://127.0.0.1:PORT"
# (Host, headers, served?) for a state-changing request.
ORIGIN_TABLE = [
    (H, [], True),  # curl, the CLI, scripts: no browser, no Origin
    (H, [("Origin", SAME)], True),
    (H, [("Origin", SAME + "/")], True),
    (H, [("Origin", SAME), ("Sec-Fetch-Site", "same-origin")], True),
    (H, [("Sec-Fetch-Site", "none")], True),  # typed into the address bar
    (H, [("Referer", SAME + "/docs")], True),
    (H, [("Origin", SAME), ("Referer", "http://evil.example/")], True),  # Origin decides
    ("localhost:PORT", [("Origin", "http://localhost:PORT")], True),
    ("[::1]:PORT", [("Origin", "http://[::1]:PORT")], True),
    ("127.0.0.1", [("Origin", "http://127.0.0.1:80")], True),  # the default port either way
    (H, [("Origin", "http://evil.example")], False),
    (H, [("Origin", "https://evil.example:PORT")], False),
    (H, [("Origin", "http://127.0.0.1:PORT.evil.example")], False),
    (H, [("Origin", "http://localhost:PORT")], False),  # loopback, but another origin
    (H, [("Origin", "http://127.0.0.1:1")], False),  # another local app
    (H, [("Origin", "https://127.0.0.1:PORT")], False),  # another scheme
    (H, [("Origin", "http://user@127.0.0.1:PORT")], False),
    (H, [("Origin", "null")], False),  # sandboxed frames, file: pages, redirects
    (H, [("Origin", "http://[::1")], False),  # unparseable
    (H, [("Origin", "")], False),
    (H, [("Referer", "http://evil.example/attack.html")], False),
    (H, [("Referer", "https://127.0.0.1:PORT/")], False),
    (H, [("Referer", "not a url")], False),
    (H, [("Sec-Fetch-Site", "cross-site")], False),
    (H, [("Sec-Fetch-Site", "same-site")], False),  # localhost:3000 is the same site
    (H, [("Origin", SAME), ("Sec-Fetch-Site", "cross-site")], False),
    (H, [("Sec-Fetch-Site", "CROSS-SITE")], False),
]


@pytest.mark.parametrize(("host", "headers", "served"), ORIGIN_TABLE)
def test_changes_come_only_from_this_origin_or_from_no_browser(dev, host, headers, served):
    """Cross-site forms and fetches: the browser sends the victim server's own Host, and
    tells where the request comes from in Origin, Referer and Sec-Fetch-Site."""
    name, reply = _create_group(dev, host, *headers)
    if served:
        assert reply.status == 201, reply
        assert _exists(dev, name)
    else:
        _assert_refused(reply, 403)
        assert not _exists(dev, name)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/users"),
        ("PUT", "/v1/groups/hr/members/someone"),
        ("PATCH", "/v1/documents/some-id"),
        ("DELETE", "/v1/documents/some-id"),
        ("POST", "/v1/privacy/erase"),
    ],
)
def test_every_state_changing_method_is_guarded(dev, method, path):
    reply = _send(dev, method, path, H, ("Origin", "http://evil.example"), ("Content-Length", "0"))
    _assert_refused(reply, 403)


def test_reads_from_other_origins_are_served(dev):
    """A cross-origin read is not a change, and without CORS headers the page cannot read the
    answer anyway; the Host check already stops rebinding."""
    reply = _send(dev, "GET", "/v1/documents", H, ("Origin", "http://evil.example"))
    assert reply.status == 200
    assert "access-control-allow-origin" not in reply.headers


def test_the_default_json_limit_is_one_megabyte(dev):
    request = head(
        "POST",
        "/v1/ask",
        f"127.0.0.1:{dev.port}",
        ("Content-Type", "application/json"),
        ("Content-Length", "1000001"),
    )
    reply = exchange(dev.port, request)
    assert reply.status == 413 and reply.problem
    assert "1,000,000 bytes" in reply.json()["detail"]
    assert "--max-json-kb 1000" in reply.json()["detail"]


def test_the_openapi_document_names_the_dev_refusals(dev):
    schema = httpx.get(f"{dev.url}/openapi.json").json()
    for operations in schema["paths"].values():
        for method, operation in operations.items():
            assert "application/problem+json" in operation["responses"]["421"]["content"]
            if method.upper() in ("POST", "PUT", "PATCH", "DELETE"):
                assert "application/problem+json" in operation["responses"]["403"]["content"]


@pytest.mark.slow
def test_outside_dev_mode_any_host_is_served_to_a_key(tmp_path):
    """Kept on purpose: a reverse proxy in front of a loopback server passes its public Host,
    and a bearer key is never attached by a browser on its own."""
    home = tmp_path / "home"
    key = add_user(home, "root", "admin")
    server = start(home)
    try:
        auth = ("Authorization", f"Bearer {key}")
        reply = _send(server, "GET", "/v1/documents", "jisik.example.com", auth)
        assert reply.status == 200
        name, created = _create_group(server, "jisik.example.com", auth, ("Origin", "https://x"))
        assert created.status == 201 and _exists_with(server, key, name)
        keyless = _send(server, "GET", "/v1/documents", "evil.example")
        assert keyless.status == 401 and keyless.problem
    finally:
        server.stop()


# The pure checks, over many inputs.

_LOOPBACK_SPEC = re.compile(r"(127\.0\.0\.1|localhost|\[::1\])(:[0-9]{1,5})?")
hosts = st.one_of(
    st.text(max_size=30),
    st.builds(
        lambda name, tail: name + tail,
        st.sampled_from(sorted(LOOPBACK_NAMES) + ["LOCALHOST", "127.0.0.2", "evil.example"]),
        st.one_of(
            st.just(""),
            st.integers(0, 999_999).map(lambda p: f":{p}"),
            st.text(max_size=8),
        ),
    ),
)


@settings(max_examples=1000, deadline=None)
@given(hosts)
def test_a_host_is_allowed_exactly_when_it_is_a_loopback_name_and_a_port(host):
    expected = _LOOPBACK_SPEC.fullmatch(host.lower()) is not None
    assert host_allowed(host, loopback_names("127.0.0.1")) is expected


@settings(max_examples=1000, deadline=None)
@given(
    host=st.sampled_from(["127.0.0.1:8000", "localhost:8000", "[::1]:8000", "127.0.0.1"]),
    origin=st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda scheme, name, port, path: f"{scheme}://{name}{port}{path}",
            st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
            st.sampled_from(["127.0.0.1", "localhost", "[::1]", "evil.example", "a@127.0.0.1"]),
            st.sampled_from(["", ":8000", ":80", ":8001", ":08000"]),
            st.sampled_from(["", "/", "/docs?x=1"]),
        ),
    ),
)
def test_only_the_request_s_own_origin_is_same_origin(host, origin):
    """Same scheme (http), same name, same port (80 when left out): nothing else."""
    match = re.fullmatch(r"http://([^/@?#]+?)(?::(\d+))?(?:[/?#].*)?", origin, re.IGNORECASE)
    name, port = re.fullmatch(r"(\[[^\]]+\]|[^:]+)(?::(\d+))?", host).groups()
    if match is None:
        expected = False
    else:
        expected = match.group(1).lower() == name and (match.group(2) or "80") == (port or "80")
    assert same_origin(origin, host, "http") is expected
