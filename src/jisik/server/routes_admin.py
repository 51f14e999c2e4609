"""Users, groups and keys, for admins; the same operations as `jisik users|groups`."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from jisik.identity.records import NAME_PATTERN, Group, Principal, User
from jisik.server.auth import Admin, State
from jisik.server.problems import COMMON_PROBLEMS, documented

router = APIRouter(
    prefix="/v1",
    tags=["administration"],
    responses={**COMMON_PROBLEMS, **documented(403, 404, 409)},
)


Name = Annotated[str, Field(pattern=NAME_PATTERN, description="Letters, digits, _ . @ -")]


class NewUser(BaseModel):
    name: Name
    role: Literal["admin", "editor", "reader", "auditor"]
    groups: list[Name] = []


class NewGroup(BaseModel):
    name: Name
    description: str = Field(default="", max_length=500)


def _actor(principal: Principal) -> str:
    return f"user:{principal.user}"


def user_json(user: User) -> dict:
    return {
        "name": user.name,
        "role": user.role,
        "groups": list(user.groups),
        "disabled": user.disabled,
        "created_at": user.created_at,
    }


def group_json(group: Group) -> dict:
    return {"name": group.name, "description": group.description, "members": list(group.members)}


@router.get("/users", summary="Every user")
def users(principal: Admin, state: State) -> list[dict]:
    return [user_json(u) for u in state.identity.users()]


@router.post("/users", status_code=201, summary="Create a user; the API key is shown once")
def add_user(body: NewUser, principal: Admin, state: State) -> dict:
    user, key = state.identity.add_user(body.name, body.role, body.groups, actor=_actor(principal))
    return {"name": user.name, "role": user.role, "groups": list(user.groups), "api_key": key}


@router.get("/users/{name}", summary="One user")
def user(name: str, principal: Admin, state: State) -> dict:
    return user_json(state.identity.user(name))


@router.post("/users/{name}/disable", summary="Disable a user (their keys stop working)")
def disable(name: str, principal: Admin, state: State) -> dict:
    return user_json(state.identity.disable(name, actor=_actor(principal)))


@router.post("/users/{name}/enable", summary="Enable a user again")
def enable(name: str, principal: Admin, state: State) -> dict:
    return user_json(state.identity.enable(name, actor=_actor(principal)))


@router.post("/users/{name}/key", summary="Rotate the API key: old keys are revoked")
def rotate(name: str, principal: Admin, state: State) -> dict:
    return {"name": name, "api_key": state.identity.rotate_key(name, actor=_actor(principal))}


@router.get("/groups", summary="Every group and its members")
def groups(principal: Admin, state: State) -> list[dict]:
    return [group_json(g) for g in state.identity.groups()]


@router.post("/groups", status_code=201, summary="Create a group")
def add_group(body: NewGroup, principal: Admin, state: State) -> dict:
    return group_json(
        state.identity.add_group(body.name, body.description, actor=_actor(principal))
    )


@router.get("/groups/{name}", summary="One group")
def group(name: str, principal: Admin, state: State) -> dict:
    return group_json(state.identity.group(name))


@router.put("/groups/{name}/members/{user_name}", summary="Add a member")
def add_member(name: str, user_name: str, principal: Admin, state: State) -> dict:
    return group_json(state.identity.add_member(name, user_name, actor=_actor(principal)))


@router.delete("/groups/{name}/members/{user_name}", summary="Remove a member")
def remove_member(name: str, user_name: str, principal: Admin, state: State) -> dict:
    return group_json(state.identity.remove_member(name, user_name, actor=_actor(principal)))
