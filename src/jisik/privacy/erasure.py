"""Data-subject rights: find a person everywhere, erase them, prove it.

``locate`` lists every place a person's identifiers appear: documents (text,
title, source name), stored chunks, lexical and vector index entries, terms left
in the index dictionary, audit events (questions, answers, logs), the answer
registry, exports written by jisik, kept original files and the raw database
file. ``erase`` removes or redacts them everywhere — physically: the index is
rewritten without deleted entries, the database is vacuumed and its log emptied —
then probes again and writes a signed receipt. Nothing depends on who the person
is or where they live: there is no country gate.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from jisik.audit.actors import new_trace_id
from jisik.audit.canonical import canonical_json, sha256_hex
from jisik.audit.chain import AuditEvent
from jisik.identity.store import IdentityStore
from jisik.privacy.receipts import identifier_hashes, matches, sign, signature_valid
from jisik.privacy.subject import Subject
from jisik.store.database import compact
from jisik.store.records import ACTIVE

if TYPE_CHECKING:  # the service calls into this module; only its type is needed here
    from jisik.service import Jisik

REDACTED = "[삭제됨]"
EXPORT_ACTIONS = ("audit.export", "registry.export")
# Events about who may do what are records the operator must keep (access-control
# logs); where the person appears only as the actor of such events they are kept.
KEPT_ACTIONS_PREFIX = "admin."
KEPT_BASIS = (
    "access-control and administration records kept as a legal obligation "
    "(PIPA 안전성 확보조치 기준 제8조: access records kept at least one year; "
    "GDPR art. 17(3)(b))"
)
DEFAULT_BASIS = "data subject's request: GDPR art. 17, PIPA art. 36"


@dataclass(frozen=True, slots=True)
class Erasure:
    receipt: dict  # signed
    path: Path  # where it was saved, under <home>/receipts/


def locate(jisik: Jisik, subject: Subject) -> dict:
    """Every place the subject appears, with counts (JSON-ready)."""
    versions = _versions(jisik, subject)
    active = [v for v in versions if v["state"] == ACTIVE]
    chunk_ids = _chunk_ids(jisik, subject)
    content_events, actor_events = _events(jisik, subject)
    present = jisik.index.entries_present(chunk_ids)
    return {
        "documents": [
            {
                "doc_id": v["doc_id"],
                "title": v["title"],
                "source": v["source"],
                "occurrences": v["occurrences"],
            }
            for v in active
        ],
        "old_versions": len(versions) - len(active),
        "chunks": len(chunk_ids),
        "lexical_entries": present["lexical"],
        "lexical_terms": _terms_present(jisik, subject),
        "vector_entries": present["dense"],
        "audit_events": [e.seq for e in content_events],
        "audit_events_as_actor": [e.seq for e in actor_events],
        "answer_hashes": _answer_hashes(jisik, content_events),
        "exports": _exports(jisik, subject),
        "originals": sum(1 for v in active if jisik.originals.path_of(v["content_hash"]).exists()),
        "database_file": _raw_occurrences(jisik, subject),
        # A user's own account rows are kept (see KEPT_BASIS), so for them the raw
        # database file cannot be free of their name.
        "subject_is_user": _is_user(jisik, subject),
    }


def erase(
    jisik: Jisik,
    subject: Subject,
    actor: str,
    basis: str = DEFAULT_BASIS,
    remove_documents: bool = False,
    progress=None,
) -> Erasure:
    """Remove or redact the subject everywhere, physically; return the signed receipt."""
    before = locate(jisik, subject)
    removed_docs, redacted_docs = [], []
    for document in before["documents"]:
        if remove_documents:
            jisik.remove(document["doc_id"], actor=actor)
            removed_docs.append(
                {"doc_id": document["doc_id"], "occurrences": document["occurrences"]}
            )
        else:
            count = jisik.rewrite_text(
                document["doc_id"], lambda text: subject.redact(text, REDACTED), actor=actor
            )
            redacted_docs.append({"doc_id": document["doc_id"], "replacements": count})
    events = [e for e in jisik.audit.events() if e.seq in set(before["audit_events"])]
    redacted_events = jisik.audit.redact([e.seq for e in events], "erasure")
    forgotten = jisik.answers.forget(e.trace_id for e in events if e.trace_id)
    export_lines = _clean_exports(subject, before["exports"])
    jisik.rewrite_index(progress)
    compact(jisik.engine)
    after = locate(jisik, subject)
    receipt_id = new_trace_id()
    salt = secrets.token_hex(16)
    receipt = {
        "receipt": "jisik erasure receipt",
        "version": 1,
        "receipt_id": receipt_id,
        "issued_at": _now(),
        "home": str(jisik.layout.root),
        "request": {
            "identifiers": identifier_hashes(subject, salt),
            "salt": salt,
            "basis": basis,
            "requested_by": actor,
        },
        "removed": {
            "documents_redacted": redacted_docs,
            "documents_removed": removed_docs,
            "old_versions_purged": before["old_versions"],
            "chunks": before["chunks"],
            "lexical_entries": before["lexical_entries"],
            "vector_entries": before["vector_entries"],
            "audit_events_redacted": redacted_events,
            "answer_hashes_forgotten": forgotten,
            "export_lines_removed": export_lines,
            "original_files": before["originals"],
        },
        "physical": {
            "index_rewritten_without_deleted_entries": True,
            "database_vacuumed_and_log_emptied": True,
        },
        "kept": [
            {
                "what": "audit events where the person is only the acting user",
                "count": len(after["audit_events_as_actor"]),
                "basis": KEPT_BASIS,
            },
            {
                "what": "hash-chain links of redacted audit events (hashes only, no content)",
                "count": redacted_events,
                "basis": "integrity of the audit trail (EU AI Act art. 12, PIPA art. 29)",
            },
        ],
        "probe_after": _counts(after),
    }
    signed = sign(receipt, jisik.guard.secrets.signing_key())
    path = _receipts_dir(jisik) / f"{receipt_id}.json"
    path.write_text(json.dumps(signed, ensure_ascii=False, indent=2), encoding="utf-8")
    jisik.audit.append(
        "privacy.erase",
        actor,
        receipt_id,
        receipt_sha256=sha256_hex(canonical_json(signed)),
        counts=_counts(after),
        removed=len(redacted_docs) + len(removed_docs),
    )
    return Erasure(signed, path)


def verify(jisik: Jisik, receipt: dict, subject: Subject | None) -> dict:
    """Check the signature and, given the identifiers, probe every store again."""
    result: dict = {
        "signature_valid": signature_valid(receipt),
        "receipt_id": str(receipt.get("receipt_id", "")),
    }
    if subject is None:
        result["probed"] = False
        result["ok"] = result["signature_valid"]
        result["note"] = "pass the identifiers (--name, --phone …) to probe every store again"
        return result
    result["identifiers_match"] = matches(receipt, subject)
    found = _counts(locate(jisik, subject))
    result["probed"] = True
    result["found"] = found
    result["ok"] = (
        result["signature_valid"] and result["identifiers_match"] and not any(found.values())
    )
    return result


def _counts(where: dict) -> dict[str, int]:
    """The places that must be empty after an erasure (kept actor events excluded)."""
    return {
        "documents": len(where["documents"]),
        "old_versions": where["old_versions"],
        "chunks": where["chunks"],
        "lexical_entries": where["lexical_entries"],
        "lexical_terms": len(where["lexical_terms"]),
        "vector_entries": where["vector_entries"],
        "audit_events": len(where["audit_events"]),
        "answer_hashes": where["answer_hashes"],
        "exports": sum(e["lines"] for e in where["exports"]),
        "originals": where["originals"],
        "database_file": 0 if where["subject_is_user"] else where["database_file"],
    }


def _versions(jisik: Jisik, subject: Subject) -> list[dict]:
    found: dict[int, dict] = {}
    for identifier in subject.identifiers:
        for version_id, doc_id, state, title, source, text in jisik.records.versions_containing(
            identifier.probe()
        ):
            if version_id in found:
                continue
            occurrences = len(subject.spans(text)) + len(subject.spans(title))
            occurrences += len(subject.spans(source))
            if occurrences:
                row = jisik.records.active_version(doc_id)
                found[version_id] = {
                    "doc_id": doc_id,
                    "state": state,
                    "title": title,
                    "source": source,
                    "occurrences": occurrences,
                    "content_hash": row.content_hash if row is not None else "",
                }
    return list(found.values())


def _chunk_ids(jisik: Jisik, subject: Subject) -> list[int]:
    ids: set[int] = set()
    for identifier in subject.identifiers:
        for chunk_id, _, text in jisik.records.chunks_containing(identifier.probe()):
            if subject.occurs_in(text):
                ids.add(chunk_id)
    return sorted(ids)


def _events(jisik: Jisik, subject: Subject) -> tuple[list[AuditEvent], list[AuditEvent]]:
    """Events whose content names the subject, and events naming them only as actor."""
    content, actor_only = [], []
    for event in jisik.audit.find(i.probe() for i in subject.identifiers):
        payload = {k: v for k, v in event.payload.items() if k != "actor"}
        if subject.occurs_in(canonical_json(payload)) and not event.action.startswith(
            KEPT_ACTIONS_PREFIX
        ):
            content.append(event)
        elif subject.occurs_in(event.actor) or subject.occurs_in(canonical_json(payload)):
            actor_only.append(event)
    return content, actor_only


def _answer_hashes(jisik: Jisik, events: list[AuditEvent]) -> int:
    return jisik.answers.count(e.trace_id for e in events if e.trace_id)


def _terms_present(jisik: Jisik, subject: Subject) -> list[str]:
    """Index terms that are the subject's identifiers themselves (whole-name terms,
    whole numbers): present in the dictionary means some entry, maybe a deleted one,
    still holds them."""
    present = []
    for identifier in subject.identifiers:
        for term in jisik.analyzer.query_terms(identifier.value):
            specific = term == identifier.normal.lower() or (
                identifier.kind == "name" and term == identifier.value
            )
            if specific and jisik.index.term_present(term):
                present.append(term)
    return sorted(set(present))


def _exports(jisik: Jisik, subject: Subject) -> list[dict]:
    found = []
    paths = {
        e.payload.get("out") for e in jisik.audit.events(actions=EXPORT_ACTIONS) if not e.redacted
    }
    for out in sorted(p for p in paths if p):
        path = Path(out)
        if not path.is_file():
            continue
        lines = sum(
            1
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
            if subject.occurs_in(line)
        )
        if lines:
            found.append({"path": out, "lines": lines})
    return found


def _clean_exports(subject: Subject, exports: list[dict]) -> list[dict]:
    """Drop the lines naming the subject from exports jisik wrote (rewritten atomically)."""
    cleaned = []
    for export in exports:
        path = Path(export["path"])
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
        kept = [line for line in lines if not subject.occurs_in(line)]
        partial = path.with_name(path.name + ".partial")
        partial.write_text("".join(kept), encoding="utf-8")
        os.replace(partial, path)
        cleaned.append({"path": export["path"], "lines": len(lines) - len(kept)})
    return cleaned


RAW_BLOCK_BYTES = 16 << 20
RAW_OVERLAP_BYTES = 1024  # longer than any identifier in UTF-8


def _raw_occurrences(jisik: Jisik, subject: Subject) -> int:
    """Occurrences in the raw database files (free pages and the write-ahead log too),
    read in blocks so a large database is never loaded whole."""
    total = 0
    for path in jisik.layout.root.glob("jisik.db*"):
        if not path.is_file():
            continue
        with open(path, "rb") as handle:
            tail = b""
            while block := handle.read(RAW_BLOCK_BYTES):
                window = tail + block
                # Count a match only if it ends after the overlap carried over, so
                # one that straddles two blocks is counted once.
                text = window.decode("utf-8", errors="ignore")
                carried = len(tail.decode("utf-8", errors="ignore"))
                total += sum(1 for _, end in subject.spans(text) if end > carried)
                tail = window[-RAW_OVERLAP_BYTES:]
    return total


def _is_user(jisik: Jisik, subject: Subject) -> bool:
    names = {u.name for u in IdentityStore(jisik.engine).users()}
    return any(i.value in names for i in subject.identifiers if i.kind in ("name", "value"))


def _receipts_dir(jisik: Jisik) -> Path:
    directory = jisik.layout.root / "receipts"
    directory.mkdir(exist_ok=True)
    return directory


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
