"""``jisik users`` and ``jisik groups``: who may call the server, and in which groups.

These open only the home's database (no analyzer, no index), so they are quick.
``main.py`` only calls ``register(app)``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from jisik.audit.chain import AuditLog
from jisik.cli import output
from jisik.cli.common import HomeOption, JsonOption, run
from jisik.cli.database import home_database
from jisik.errors import InvalidInputError
from jisik.identity import ROLES, Group, IdentityStore, User

users_app = typer.Typer(no_args_is_help=True, help="Add, list, disable users; rotate API keys.")
groups_app = typer.Typer(no_args_is_help=True, help="Reader groups and their members.")


def register(app: typer.Typer) -> None:
    """Add the ``users`` and ``groups`` command groups to the jisik app."""
    app.add_typer(users_app, name="users")
    app.add_typer(groups_app, name="groups")


@contextmanager
def _store(home: Path | None, *, create: bool = False) -> Iterator[IdentityStore]:
    """The identity store of a home; ``create`` makes the home first if it is missing."""
    with home_database(home, create=create) as (settings, engine):
        yield IdentityStore(engine, AuditLog(engine, home=settings.home))


# --- users -------------------------------------------------------------------


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name (letters, digits, _ . @ -).")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")],
    group: Annotated[
        list[str] | None,
        typer.Option("--group", "-g", help="Group to join (repeatable; must exist)."),
    ] = None,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Add a user and print their API key (shown only this once)."""

    def body() -> None:
        with _store(home, create=True) as store:
            user, key = store.add_user(name, role, group or ())
        if json:
            output.emit_json(
                {"name": user.name, "role": user.role, "groups": list(user.groups), "api_key": key}
            )
            return
        output.console.print(
            f"added {output.escape(user.name)} ({user.role}; groups: {_groups(user.groups)})"
        )
        _show_key(user.name, key)

    run(body)


@users_app.command("list")
def users_list(home: HomeOption = None, json: JsonOption = False) -> None:
    """List users with their role, groups and current key prefix."""

    def body() -> None:
        with _store(home) as store:
            rows = [(user, _current_prefix(store, user.name)) for user in store.users()]
        if json:
            output.emit_json([_user_json(user, prefix) for user, prefix in rows])
            return
        table = Table("name", "role", "groups", "enabled", "created", "key")
        for user, prefix in rows:
            table.add_row(
                user.name,
                user.role,
                _groups(user.groups),
                "no" if user.disabled else "yes",
                _when(user.created_at),
                f"{prefix}…" if prefix else "(none)",
            )
        output.console.print(table)

    run(body)


@users_app.command("disable")
def users_disable(name: str, home: HomeOption = None, json: JsonOption = False) -> None:
    """Disable a user: their keys stop working on the next request."""
    _set_enabled(name, False, home, json)


@users_app.command("enable")
def users_enable(name: str, home: HomeOption = None, json: JsonOption = False) -> None:
    """Enable a disabled user again (with the keys they had)."""
    _set_enabled(name, True, home, json)


def _set_enabled(name: str, enabled: bool, home: Path | None, json: bool) -> None:
    def body() -> None:
        with _store(home) as store:
            user = store.enable(name) if enabled else store.disable(name)
        if json:
            output.emit_json({"name": user.name, "enabled": not user.disabled})
        else:
            state = "disabled" if user.disabled else "enabled"
            output.console.print(f"{output.escape(user.name)} is {state}")

    run(body)


@users_app.command("set-password")
def users_set_password(
    name: str,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from standard input (for scripts)."
        ),
    ] = False,
    home: HomeOption = None,
) -> None:
    """Set a user's password for signing in to the web UI (their sessions end)."""

    def body() -> None:
        import sys

        from jisik.identity.web_auth import WebAuth, check_password

        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("비밀번호 (password)", hide_input=True)
            check_password(password)
            again = typer.prompt("한 번 더 (again)", hide_input=True)
            if again != password:
                raise InvalidInputError("the two passwords differ; nothing was changed")
        with home_database(home) as (settings, engine):
            WebAuth(engine, AuditLog(engine, home=settings.home)).set_password(name, password)
        output.console.print(f"password set for {output.escape(name)}; their sessions ended")

    run(body)


@users_app.command("rotate-key")
def users_rotate_key(name: str, home: HomeOption = None, json: JsonOption = False) -> None:
    """Revoke a user's keys and print a new one (shown only this once)."""

    def body() -> None:
        with _store(home) as store:
            key = store.rotate_key(name)
        if json:
            output.emit_json({"name": name, "api_key": key})
        else:
            output.console.print(f"previous keys of {output.escape(name)} revoked")
            _show_key(name, key)

    run(body)


# --- groups ------------------------------------------------------------------


@groups_app.command("add")
def groups_add(
    name: Annotated[str, typer.Argument(help="Group name, as given to `jisik add --group`.")],
    description: Annotated[str, typer.Option("--description", help="What the group is.")] = "",
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Add a reader group."""

    def body() -> None:
        with _store(home, create=True) as store:
            group = store.add_group(name, description)
        if json:
            output.emit_json(_group_json(group))
        else:
            output.console.print(f"added group {output.escape(group.name)}")

    run(body)


@groups_app.command("list")
def groups_list(home: HomeOption = None, json: JsonOption = False) -> None:
    """List groups with their members."""

    def body() -> None:
        with _store(home) as store:
            groups = store.groups()
        if json:
            output.emit_json([_group_json(g) for g in groups])
            return
        table = Table("name", "description", "members")
        for group in groups:
            table.add_row(
                group.name, output.escape(group.description), ", ".join(group.members) or "(none)"
            )
        output.console.print(table)

    run(body)


@groups_app.command("members")
def groups_members(
    name: str,
    add: Annotated[
        list[str] | None, typer.Option("--add", help="User to add (repeatable).")
    ] = None,
    remove: Annotated[
        list[str] | None, typer.Option("--remove", help="User to remove (repeatable).")
    ] = None,
    home: HomeOption = None,
    json: JsonOption = False,
) -> None:
    """Show a group's members; --add and --remove change them first."""

    def body() -> None:
        with _store(home) as store:
            group = store.group(name)
            for user in add or ():
                group = store.add_member(name, user)
            for user in remove or ():
                group = store.remove_member(name, user)
        if json:
            output.emit_json(_group_json(group))
        else:
            members = ", ".join(output.escape(m) for m in group.members) or "(none)"
            output.console.print(f"{output.escape(group.name)}: {members}")

    run(body)


# --- rendering ---------------------------------------------------------------


def _show_key(name: str, key: str) -> None:
    output.console.print(f"API key: {key}", highlight=False)
    output.err_console.print(
        "[yellow]warning:[/yellow] this key is shown only once; store it now. "
        f"A lost key is replaced with `jisik users rotate-key {output.escape(name)}`."
    )


def _current_prefix(store: IdentityStore, name: str) -> str | None:
    live = [k for k in store.keys(name) if k.revoked_at is None]
    return live[0].prefix if live else None


def _user_json(user: User, prefix: str | None) -> dict:
    return {
        "name": user.name,
        "role": user.role,
        "groups": list(user.groups),
        "enabled": not user.disabled,
        "created_at": user.created_at,
        "key_prefix": prefix,
    }


def _group_json(group: Group) -> dict:
    return {"name": group.name, "description": group.description, "members": list(group.members)}


def _groups(groups: tuple[str, ...]) -> str:
    return ", ".join(groups) or "(none)"


def _when(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp).strftime("%Y-%m-%d %H:%M")
