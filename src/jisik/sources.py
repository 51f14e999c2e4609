"""The source registry: every document the assistant draws on ("what data does this AI use")."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from jisik.types import DocumentInfo

COLUMNS = (
    "doc_id",
    "title",
    "source",
    "format",
    "content_sha256",
    "version",
    "ingested_at",
    "reader_groups",
    "pii_scan",
    "pii_found",
    "owner",
    "licence",
)


def registry_rows(documents: list[DocumentInfo]) -> list[dict]:
    return [_row(d) for d in documents]


def _row(info: DocumentInfo) -> dict:
    pii = info.pii
    if pii is None:
        status = "not scanned"
    elif not pii:
        status = "none found"
    else:
        status = "redacted" if info.pii_redacted else "found, allowed"
    return {
        "doc_id": info.doc_id,
        "title": info.title,
        "source": info.source,
        "format": info.format,
        "content_sha256": info.content_hash,
        "version": info.version,
        "ingested_at": datetime.fromtimestamp(info.ingested_at, UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "reader_groups": list(info.groups) or ["everyone"],
        "pii_scan": status,
        "pii_found": {k: v["found"] for k, v in (pii or {}).items()},
        "owner": info.owner,
        "licence": info.licence,
    }


def registry_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                **row,
                "reader_groups": ";".join(row["reader_groups"]),
                "pii_found": ";".join(f"{k}={n}" for k, n in row["pii_found"].items()),
            }
        )
    return buffer.getvalue()
