"""Who is calling: ``Authorization: Bearer <key>`` (or a browser's session cookie) to a
Principal, and role checks.

A session cookie is accepted only with its CSRF token in ``X-CSRF-Token`` on every
state-changing request: another site can make a browser send the cookie, never read the
token from the page.

Authentication goes through ``IdentityStore.authenticate`` (an ``Authenticator``);
an OIDC resolver would be tried beside it here, without touching the routes.
"""

from __future__ import annotations

import hmac
import math
import re
from typing import Annotated

from fastapi import Depends, Request

from jisik.identity.keys import hash_key
from jisik.identity.records import ADMIN, Principal
from jisik.local_link import LOCAL_ACTOR_HEADER, is_local_token
from jisik.server.devguard import STATE_CHANGING
from jisik.server.problems import Problem
from jisik.server.state import ServerState
from jisik.types import Requester

# A user name can never contain ":" (identity.records), so no API key's user can pass
# for the local operator.
LOCAL_USER_PREFIX = "local:"
_CLI_ACTOR = re.compile(r"cli:[\w.-]{1,64}")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="jisik"'}
SESSION_COOKIE = "jisik_session"
CSRF_HEADER = "X-CSRF-Token"


def server_state(request: Request) -> ServerState:
    return request.app.state.jisik


def caller(request: Request) -> Principal:
    state = server_state(request)
    header = request.headers.get("authorization", "")
    if not header and state.dev_principal is not None:
        return state.dev_principal
    if not header and request.cookies.get(SESSION_COOKIE):
        return _browser(request, state)
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Problem(
            401,
            "send an API key as 'Authorization: Bearer <key>'; an admin creates one with "
            "`jisik users add NAME --role ROLE`",
            _CHALLENGE,
        )
    principal = (
        _local_operator(request)
        if is_local_token(credential, state.local_token)
        else state.identity.authenticate(credential)
    )
    if principal is None:
        raise Problem(401, "the API key is unknown or revoked, or its user is disabled", _CHALLENGE)
    _limit(state, credential, "for this key")
    request.state.principal = principal
    return principal


def _browser(request: Request, state: ServerState) -> Principal:
    """The user a session cookie signs in (the web UI)."""
    token = request.cookies[SESSION_COOKIE]
    found = state.web_auth.session(token) if state.web_auth is not None else None
    if found is None:
        raise Problem(401, "the session has ended; sign in again at /login", _CHALLENGE)
    principal, csrf = found
    if request.method.upper() in STATE_CHANGING and not hmac.compare_digest(
        request.headers.get(CSRF_HEADER, ""), csrf
    ):
        raise Problem(
            403, f"a change from the browser needs this session's {CSRF_HEADER} header; reload"
        )
    _limit(state, token, "for this session")
    request.state.principal = principal
    return principal


def _limit(state: ServerState, credential: str, whose: str) -> None:
    wait = state.limiter.take(hash_key(credential))
    if wait:
        raise Problem(
            429,
            f"rate limit of {state.config.rate_per_minute} requests per minute {whose} "
            f"reached; retry in {math.ceil(wait)} s",
            {"Retry-After": str(math.ceil(wait))},
        )


def _local_operator(request: Request) -> Principal:
    """The person at this machine's shell, through `jisik ask`/`search` (``local_link``):
    an admin, as the CLI is, recorded under the login the CLI names."""
    actor = request.headers.get(LOCAL_ACTOR_HEADER, "")
    login = actor.removeprefix("cli:") if _CLI_ACTOR.fullmatch(actor) else "unknown"
    return Principal(f"{LOCAL_USER_PREFIX}{login}", ADMIN, frozenset())


Caller = Annotated[Principal, Depends(caller)]


def editor(principal: Caller) -> Principal:
    if not principal.can_manage_documents:
        raise Problem(403, "managing documents needs the editor or admin role")
    return principal


def admin(principal: Caller) -> Principal:
    if not principal.can_manage_users:
        raise Problem(403, "managing users and groups needs the admin role")
    return principal


def auditor(principal: Caller) -> Principal:
    if not principal.can_audit:
        raise Problem(403, "audit, privacy and registry data need the auditor or admin role")
    return principal


def requester(principal: Principal, request: Request) -> Requester:
    """The service's view of the caller: permissions plus the audit identity."""
    local = principal.user.startswith(LOCAL_USER_PREFIX)
    return Requester(
        f"cli:{principal.user.removeprefix(LOCAL_USER_PREFIX)}"
        if local
        else f"user:{principal.user}",
        principal.readers,
        request.state.trace_id,
        full_paths=principal.role == ADMIN,
    )


Editor = Annotated[Principal, Depends(editor)]
Admin = Annotated[Principal, Depends(admin)]
Auditor = Annotated[Principal, Depends(auditor)]
State = Annotated[ServerState, Depends(server_state)]
