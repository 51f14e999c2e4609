"""Identity records and the rules for names and roles."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from jisik.errors import InvalidInputError
from jisik.index.base import PUBLIC

ADMIN, EDITOR, READER, AUDITOR = "admin", "editor", "reader", "auditor"
ROLES: tuple[str, ...] = (ADMIN, EDITOR, READER, AUDITOR)

# Unicode word characters, so 김민수 or 인사팀 are fine; no "*" (PUBLIC), no spaces,
# no commas, so a name is never ambiguous in a list or a reader token.
NAME_PATTERN = r"^[\w.@-]{1,64}$"  # Unicode word characters: Korean names are fine
_NAME = re.compile(NAME_PATTERN)


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: str
    groups: tuple[str, ...]
    disabled: bool
    created_at: float


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    description: str
    members: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ApiKey:
    """What may be shown about a key: never the key itself."""

    prefix: str
    created_at: float
    revoked_at: float | None


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller of one request."""

    user: str
    role: str
    groups: frozenset[str]

    @property
    def can_manage_documents(self) -> bool:
        return self.role in (ADMIN, EDITOR)

    @property
    def can_manage_users(self) -> bool:
        return self.role == ADMIN

    @property
    def can_audit(self) -> bool:
        return self.role in (ADMIN, AUDITOR)

    @property
    def readers(self) -> frozenset[str] | None:
        """Reader tokens whose documents this caller may read; None: every document.

        Admins read everything; everyone else reads public documents and those of
        their groups.
        """
        if self.role == ADMIN:
            return None
        return frozenset(self.groups) | {PUBLIC}


# A credential (API key today; an OIDC access or ID token later) to the caller it
# proves, or None when it proves nothing. An OIDC resolver would be one of these:
# verify the token's signature, issuer, audience and expiry against the provider's
# keys, map its subject to a user name and its groups claim (or the stored
# memberships) to groups, and return a Principal; the server tries its
# authenticators in turn.
Authenticator = Callable[[str], "Principal | None"]


def check_name(kind: str, name: str) -> str:
    """Return ``name`` if it is a valid user or group name, else say what is wrong."""
    if not _NAME.fullmatch(name):
        raise InvalidInputError(
            f"invalid {kind} name {name!r}: use 1 to 64 letters, digits, '_', '.', '@' or '-' "
            "(Korean is fine; no spaces)"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInputError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role
