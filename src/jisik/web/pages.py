"""The pages: sign-in, sign-out, the chat screen, the language switch.

Pages are rendered on the server from the message catalogues; their scripts then call
``/v1`` with the session cookie and the page's CSRF token. Every page is sent with a
Content-Security-Policy that allows only this server's own scripts and styles.
"""

from __future__ import annotations

import secrets
from importlib.resources import files
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from jisik import __version__
from jisik.identity.records import Principal
from jisik.privacy.erasure import DEFAULT_BASIS
from jisik.server.auth import SESSION_COOKIE, server_state
from jisik.web.i18n import (
    LANGUAGE_COOKIE,
    LANGUAGES,
    catalogue,
    language_of,
    other_language,
    translate,
)

router = APIRouter(include_in_schema=False)

LOGIN_CSRF_COOKIE = "jisik_login_csrf"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_templates = Environment(
    loader=FileSystemLoader(str(files("jisik.web").joinpath("templates"))),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def static_directory() -> str:
    return str(files("jisik.web").joinpath("static"))


def _page(request: Request, template: str, status: int = 200, **context: object) -> HTMLResponse:
    language = language_of(request.cookies.get(LANGUAGE_COOKIE))
    html = _templates.get_template(template).render(
        lang=language,
        other_lang=other_language(language),
        t=lambda key, **values: translate(language, key, **values),
        messages=catalogue(language),
        version=__version__,
        request_path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def _signed_in(request: Request) -> tuple[Principal, str] | None:
    """The page's user and CSRF token (development mode: the dev admin, no token)."""
    state = server_state(request)
    if state.dev_principal is not None:
        return state.dev_principal, ""
    token = request.cookies.get(SESSION_COOKIE)
    return state.web_auth.session(token) if token else None


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"


def _app_page(request: Request, template: str, page: str, **context: object) -> Response:
    """A page of the signed-in app (to the sign-in page without a session)."""
    signed_in = _signed_in(request)
    if signed_in is None:
        path = page_path(page)
        return RedirectResponse("/login" if path == "/" else f"/login?next={path}", 303)
    principal, csrf = signed_in
    state = server_state(request)
    return _page(
        request,
        template,
        user=principal,
        csrf=csrf,
        dev=state.dev_principal is not None,
        page=page,
        **context,
    )


def page_path(page: str) -> str:
    return "/" if page == "chat" else f"/{page}"


@router.get("/")
def chat_page(request: Request) -> Response:
    return _app_page(request, "chat.html", "chat")


@router.get("/documents")
def documents_page(request: Request) -> Response:
    signed_in = _signed_in(request)
    groups: list[str] = []
    if signed_in is not None:
        principal = signed_in[0]
        # The groups this user may give readers: an admin any, an editor their own.
        groups = (
            [g.name for g in server_state(request).identity.groups()]
            if principal.can_manage_users
            else sorted(principal.groups)
        )
    return _app_page(request, "documents.html", "documents", groups=groups)


@router.get("/admin")
def admin_page(request: Request) -> Response:
    signed_in = _signed_in(request)
    if signed_in is not None and not signed_in[0].can_manage_users:
        return RedirectResponse("/", status_code=303)  # the API would refuse all of it
    return _app_page(request, "admin.html", "admin")


@router.get("/compliance")
def compliance_page(request: Request) -> Response:
    signed_in = _signed_in(request)
    if signed_in is not None and not signed_in[0].can_audit:
        return RedirectResponse("/", status_code=303)
    return _app_page(request, "compliance.html", "compliance", default_basis=DEFAULT_BASIS)


@router.get("/login")
def login_page(request: Request) -> Response:
    if _signed_in(request) is not None:
        return RedirectResponse("/", status_code=303)
    return _login_form(request)


def _login_form(request: Request, error: str = "", status: int = 200, name: str = "") -> Response:
    # Login CSRF: the form's token must match this cookie, which another site cannot set.
    token = secrets.token_urlsafe(24)
    response = _page(
        request,
        "login.html",
        status,
        error=error,
        login_csrf=token,
        name=name,
        next_path=_next(request),
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request)
    )
    return response


@router.post("/login")
def login(
    request: Request,
    username: str = Form(default="", max_length=64),
    password: str = Form(default="", max_length=256),
    api_key: str = Form(default="", max_length=128),
    login_csrf: str = Form(default="", max_length=64),
) -> Response:
    state = server_state(request)
    language = language_of(request.cookies.get(LANGUAGE_COOKIE))
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not secrets.compare_digest(expected, login_csrf):
        return _login_form(request, translate(language, "login.expired"), 400, username)
    address = request.client.host if request.client else "unknown"
    wait = state.sign_in.wait_s(username, address)
    if wait > 0:
        message = translate(language, "login.throttled", seconds=int(wait) + 1)
        response = _login_form(request, message, 429, username)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    if api_key.strip():
        # Signing in with an API key: the key's user, without a password of their own.
        principal = state.identity.authenticate(api_key.strip())
        username = principal.user if principal is not None else "api-key"
    else:
        principal = state.web_auth.check_password(username.strip(), password)
    trace = request.state.trace_id
    if principal is None:
        state.sign_in.failed(username, address)
        state.jisik.audit.append(
            "web.signin", f"user:{username[:64]}", trace, outcome="failed", address=address
        )
        return _login_form(request, translate(language, "login.failed"), 401, username)
    state.sign_in.succeeded(username)
    token, _ = state.web_auth.open_session(principal.user)
    state.jisik.audit.append(
        "web.signin", f"user:{principal.user}", trace, outcome="signed in", address=address
    )
    response = RedirectResponse(_next(request), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF_COOKIE)
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form(default="", max_length=64)) -> Response:
    state = server_state(request)
    signed_in = _signed_in(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    if signed_in is not None and token and secrets.compare_digest(signed_in[1], csrf):
        state.web_auth.close_session(token)
        state.jisik.audit.append("web.signout", f"user:{signed_in[0].user}", request.state.trace_id)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


DOCS_HEADERS = {
    **SECURITY_HEADERS,
    # Swagger UI sets inline styles on its own elements; scripts stay this server's only.
    "Content-Security-Policy": SECURITY_HEADERS["Content-Security-Policy"].replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    ),
}


@router.get("/docs")
def api_docs() -> Response:
    """The OpenAPI viewer, from the vendored Swagger UI: it works without a network."""
    html = _templates.get_template("docs.html").render(version=__version__)
    return HTMLResponse(html, headers=DOCS_HEADERS)


@router.get("/language/{language}")
def switch_language(request: Request, language: str) -> Response:
    """A preference, not a change of state: kept in a cookie, then back to the page."""
    response = RedirectResponse(_next(request), status_code=303)
    if language in LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE, language, samesite="lax", max_age=365 * 86_400, path="/"
        )
    return response


def _next(request: Request) -> str:
    """Where to go back to: a path on this server only (never an open redirect)."""
    wanted = request.query_params.get("next", "/")
    parts = urlsplit(wanted)
    # Browsers read "/\\host" as "//host": a backslash anywhere is refused too.
    if parts.scheme or parts.netloc or not wanted.startswith("/") or wanted.startswith("//"):
        return "/"
    return "/" if "\\" in wanted else wanted
