"""The access log: every request that returns document content leaves a row.

It records the caller, the action, the question or query and the ids of the
documents whose content was returned, so that "who saw this document" and "what
did this person ask" can be answered later.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from jisik.store.schema import AccessRow


@dataclass(frozen=True, slots=True)
class Access:
    at: float
    user: str
    action: str
    query: str
    doc_ids: tuple[str, ...]
    trace_id: str


class AccessLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def record(
        self, user: str, action: str, trace_id: str, query: str = "", doc_ids: Iterable[str] = ()
    ) -> None:
        row = AccessRow(
            at=time.time(),
            user_name=user,
            action=action,
            query=query,
            doc_ids_json=json.dumps(sorted(set(doc_ids))),
            trace_id=trace_id,
        )
        with Session(self.engine) as session, session.begin():
            session.add(row)

    def entries(self, since: float = 0.0) -> list[Access]:
        with Session(self.engine) as session:
            rows = session.scalars(
                select(AccessRow).where(AccessRow.at >= since).order_by(AccessRow.id)
            )
            return [
                Access(
                    r.at,
                    r.user_name,
                    r.action,
                    r.query,
                    tuple(json.loads(r.doc_ids_json)),
                    r.trace_id,
                )
                for r in rows
            ]
