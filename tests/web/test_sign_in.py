"""Sign-in over HTTP against the real server: the cookie's attributes, CSRF on every
change, throttled guessing, sessions ended by sign-out and by a new password, and no
open redirect. (The browser flows are in test_chat_ui.py.)"""

from __future__ import annotations

import re

import httpx

from tests.server.harness import add_user
from tests.web.conftest import PASSWORD, set_password


def _form_token(client: httpx.Client) -> str:
    page = client.get("/login")
    return re.search(r'name="login_csrf" value="([^"]+)"', page.text).group(1)


def _sign_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    token = _form_token(client)
    return client.post("/login", data={"username": name, "password": password, "login_csrf": token})


def test_the_session_cookie_and_csrf(site):
    with httpx.Client(base_url=site.url) as client:
        signed_in = _sign_in(client, "alice", PASSWORD)
        assert signed_in.status_code == 303 and signed_in.headers["location"] == "/"
        cookie = signed_in.headers["set-cookie"]
        assert "jisik_session=" in cookie and "HttpOnly" in cookie
        assert "samesite=strict" in cookie.lower()
        page = client.get("/")
        assert "default-src 'self'" in page.headers["content-security-policy"]
        csrf = re.search(r'name="csrf-token" content="([^"]+)"', page.text).group(1)
        assert client.get("/v1/conversations").status_code == 200  # reads need no token
        refused = client.post("/v1/conversations", json={})
        assert refused.status_code == 403 and "X-CSRF-Token" in refused.json()["detail"]
        forged = client.post("/v1/conversations", json={}, headers={"X-CSRF-Token": "x" * 43})
        assert forged.status_code == 403
        made = client.post("/v1/conversations", json={}, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201
        # A sign-in form posted without its own token (login CSRF) is refused.
        client.cookies.delete("jisik_login_csrf")
        assert (
            client.post(
                "/login", data={"username": "alice", "password": PASSWORD, "login_csrf": "x"}
            ).status_code
            == 400
        )


def test_guessing_is_throttled_and_sessions_end(site):
    add_user(site.home, "bora", "reader")
    set_password(site.home, "bora")
    with httpx.Client(base_url=site.url) as client:
        assert _sign_in(client, "bora", PASSWORD).status_code == 303
        session = client.cookies["jisik_session"]
    with httpx.Client(base_url=site.url) as guesser:
        for attempt in range(5):
            assert _sign_in(guesser, "bora", f"guess number {attempt}").status_code == 401
        blocked = _sign_in(guesser, "bora", PASSWORD)  # even the right one, for now
        assert blocked.status_code == 429 and int(blocked.headers["retry-after"]) > 0
    # A new password ends the sessions opened with the old one.
    set_password(site.home, "bora", "a brand new passphrase")
    stale = httpx.get(f"{site.url}/v1/conversations", cookies={"jisik_session": session})
    assert stale.status_code == 401


def test_no_open_redirect_and_pages_need_a_session(site):
    with httpx.Client(base_url=site.url) as client:
        assert client.get("/").headers["location"] == "/login"
        for target in ("https://evil.example/", "//evil.example", "/\\evil"):
            switched = client.get("/language/en", params={"next": target})
            assert switched.headers["location"] == "/"
        kept = client.get("/language/en", params={"next": "/docs"})
        assert kept.headers["location"] == "/docs"
        assert (
            client.get("/v1/conversations", cookies={"jisik_session": "made-up"}).status_code == 401
        )


def test_signing_in_with_an_api_key(site):
    key = add_user(site.home, "kiosk", "reader")
    with httpx.Client(base_url=site.url) as client:
        token = _form_token(client)
        wrong = client.post("/login", data={"api_key": "jsk_" + "x" * 40, "login_csrf": token})
        assert wrong.status_code == 401
        token = _form_token(client)
        signed_in = client.post("/login", data={"api_key": key, "login_csrf": token})
        assert signed_in.status_code == 303
        page = client.get("/")
        assert page.status_code == 200 and "kiosk" in page.text
