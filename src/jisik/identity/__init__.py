"""Who is calling: users, roles, reader groups and API keys.

Authentication is one function from a credential to a ``Principal`` (see
``records.Authenticator``); ``IdentityStore.authenticate`` is the API-key one.
The server asks its authenticator(s) for a Principal and never looks at how it
was obtained, so OIDC/SSO can be added later as another authenticator.
"""

from jisik.identity.records import (
    ROLES,
    ApiKey,
    Authenticator,
    Group,
    Principal,
    User,
)
from jisik.identity.store import IdentityStore

__all__ = ["ROLES", "ApiKey", "Authenticator", "Group", "IdentityStore", "Principal", "User"]
