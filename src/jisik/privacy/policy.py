"""What happens to each kind of personal data: allow, pseudonymize, mask or block.

A policy maps every PII type to an action. The home has a default policy and a
group may have its own (`jisik pii policy set`). Two places apply them:

* at ingest, a document is stored under the policy of its audience: for each
  type, the most permissive action among its reader groups' policies (the home
  default for a public document). What that policy masks or pseudonymizes is
  never stored or indexed in clear; ``block`` refuses the document.
* at output, answers and snippets pass the detector again under the reader's
  policy: the most permissive action among the home default and the policies of
  their groups. ``block`` withholds the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, delete, select
from sqlalchemy.orm import Session

from jisik.audit.actors import local_actor, new_trace_id
from jisik.audit.chain import AuditLog
from jisik.errors import InvalidInputError
from jisik.privacy.detect import PII_TYPES
from jisik.store.generations import CachedByGeneration, bump
from jisik.store.schema import PiiPolicyRow

ALLOW, PSEUDONYMIZE, MASK, BLOCK = "allow", "pseudonymize", "mask", "block"
ACTIONS: tuple[str, ...] = (ALLOW, PSEUDONYMIZE, MASK, BLOCK)  # from least to most strict
HOME = "*"  # the scope of the home's default policy
GENERATION = "pii_policy"

# Identifiers the law singles out (PIPA 고유식별정보: resident, foreigner, passport and
# driver's licence numbers) and financial or health identifiers are masked by default;
# contact details and company numbers are what a company handbook is for.
DEFAULT_ACTIONS: Mapping[str, str] = {
    "rrn": MASK,
    "frn": MASK,
    "passport": MASK,
    "driver_license": MASK,
    "health_insurance": MASK,
    "card": MASK,
    "account": MASK,
    "phone": ALLOW,
    "email": ALLOW,
    "ip": ALLOW,
    "address": ALLOW,
    "business_reg": ALLOW,
    "corp_reg": ALLOW,
}


@dataclass(frozen=True, slots=True)
class PiiPolicy:
    actions: Mapping[str, str]  # every PII type -> action

    def action(self, kind: str) -> str:
        return self.actions.get(kind, MASK)

    def acting_on(self) -> frozenset[str]:
        """The types this policy does something about (not ``allow``)."""
        return frozenset(k for k, a in self.actions.items() if a != ALLOW)

    def as_json(self) -> dict[str, str]:
        return dict(sorted(self.actions.items()))


def most_permissive(policies: Iterable[PiiPolicy]) -> PiiPolicy:
    policies = list(policies)
    return PiiPolicy(
        {kind: min((p.action(kind) for p in policies), key=ACTIONS.index) for kind in PII_TYPES}
    )


def check_action(action: str) -> str:
    if action not in ACTIONS:
        raise InvalidInputError(f"unknown action {action!r}; use one of {', '.join(ACTIONS)}")
    return action


def check_kind(kind: str) -> str:
    if kind not in PII_TYPES:
        raise InvalidInputError(f"unknown PII type {kind!r}; use one of {', '.join(PII_TYPES)}")
    return kind


class PolicyStore:
    """Policies in the home's database. Read through a cache that a generation
    counter, moved with every change, invalidates: a change applies at the next
    question in every process, without re-reading the table on each one."""

    def __init__(self, engine: Engine, audit: AuditLog | None = None) -> None:
        self.engine = engine
        self.audit = audit or AuditLog(engine)
        self._cache = CachedByGeneration(engine, GENERATION, _read_policies)

    def home(self) -> PiiPolicy:
        return self._cache.get().policies[HOME]

    def policies(self) -> dict[str, PiiPolicy]:
        """The home policy under ``*`` and every group that has its own."""
        return dict(self._cache.get().policies)

    def for_document(self, groups: Iterable[str]) -> PiiPolicy:
        policies = self._cache.get().policies
        groups = list(groups)
        if not groups:
            return policies[HOME]
        return most_permissive(policies.get(g, policies[HOME]) for g in groups)

    def for_reader(self, groups: Iterable[str] | None) -> PiiPolicy:
        """``None`` (an unrestricted caller such as an admin) gets the home policy."""
        loaded = self._cache.get()
        key = tuple(sorted(g for g in (groups or ()) if g in loaded.policies))
        policy = loaded.per_reader.get(key)
        if policy is None:
            mine = [loaded.policies[g] for g in key]
            policy = most_permissive([loaded.policies[HOME], *mine])
            loaded.per_reader[key] = policy  # same result for the same generation
        return policy

    def set(self, kind: str, action: str, group: str = HOME, *, actor: str = "") -> None:
        check_kind(kind)
        check_action(action)
        with Session(self.engine) as session, session.begin():
            session.merge(PiiPolicyRow(scope=group, kind=kind, action=action))
            bump(session.connection(), GENERATION)
        self.audit.append(
            "pii.policy.set",
            actor or local_actor(),
            new_trace_id(),
            scope=group,
            kind=kind,
            action=action,
        )

    def reset(self, group: str = HOME, *, actor: str = "") -> None:
        with Session(self.engine) as session, session.begin():
            session.execute(delete(PiiPolicyRow).where(PiiPolicyRow.scope == group))
            bump(session.connection(), GENERATION)
        self.audit.append(
            "pii.policy.reset", actor or local_actor(), new_trace_id(), scope=group
        )


@dataclass(frozen=True, slots=True)
class _Loaded:
    policies: Mapping[str, PiiPolicy]  # scope -> its full policy
    per_reader: dict[tuple[str, ...], PiiPolicy]  # filled as readers come


def _read_policies(connection: Connection) -> _Loaded:
    rows = connection.execute(select(PiiPolicyRow.scope, PiiPolicyRow.kind, PiiPolicyRow.action))
    overrides: dict[str, dict[str, str]] = {}
    for row in rows:
        overrides.setdefault(row.scope, {})[row.kind] = row.action
    home = {**DEFAULT_ACTIONS, **overrides.get(HOME, {})}
    policies = {HOME: PiiPolicy(home)}
    for scope, actions in overrides.items():
        if scope != HOME:
            policies[scope] = PiiPolicy({**home, **actions})
    return _Loaded(policies, {})
