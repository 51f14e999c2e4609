"""Names for who did something, and trace ids that tie a request's records together."""

from __future__ import annotations

import getpass
import uuid


def local_actor() -> str:
    """The person at the command line, as the audit trail names them."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in this environment (some containers)
        return "cli:unknown"


def new_trace_id() -> str:
    return uuid.uuid4().hex
