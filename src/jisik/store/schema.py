"""Tables of the system of record. Change them only together with a migration."""

from __future__ import annotations

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class DocumentRow(Base):
    __tablename__ = "documents"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    source: Mapped[str] = mapped_column(Text, unique=True)
    # What readers other than admins are shown: the path relative to the folder that
    # was added, or an upload's name (never the server's absolute path).
    display_source: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)
    # For the source registry ("what data does this AI use"); free text.
    owner: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(Text, default="")


class VersionRow(Base):
    """One ingested version of a document. Exactly one per document is ``active``.

    ``pending`` versions are written before the indexes are updated and become
    ``active`` only after, so a crash in between leaves nothing half-visible;
    ``retired`` versions wait for their index entries to be deleted.
    """

    __tablename__ = "versions"
    __table_args__ = (
        Index("ix_versions_document_state", "document_id", "state"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(Integer)
    modified_at: Mapped[float] = mapped_column(Float)
    ingested_at: Mapped[float] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    sections_json: Mapped[str] = mapped_column(Text)
    # What the PII scan at ingest found and did: {"kind": {"found": n, "action": a}};
    # null when the version was not scanned.
    pii_json: Mapped[str | None] = mapped_column(Text, nullable=True)


class ChunkRow(Base):
    __tablename__ = "chunks"
    # AUTOINCREMENT: a chunk id is never reused, so a stale index entry can never
    # point at somebody else's text.
    __table_args__ = (Index("ix_chunks_version", "version_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(Text)
    heading: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)


class DocumentGroupRow(Base):
    """Groups whose members may read a document; none means everyone may."""

    __tablename__ = "document_groups"

    document_id: Mapped[str] = mapped_column(
        ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    group_name: Mapped[str] = mapped_column(String(128), primary_key=True)


class UserRow(Base):
    """A person (or service) that may call jisik; ``role`` is one of identity.ROLES."""

    __tablename__ = "users"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(16))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[float] = mapped_column(Float)


class GroupRow(Base):
    """A reader group; its name is the one stored in ``document_groups.group_name``."""

    __tablename__ = "groups"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)


class UserGroupRow(Base):
    __tablename__ = "user_groups"

    user_name: Mapped[str] = mapped_column(
        ForeignKey("users.name", ondelete="CASCADE"), primary_key=True
    )
    group_name: Mapped[str] = mapped_column(
        ForeignKey("groups.name", ondelete="CASCADE"), primary_key=True
    )


class ApiKeyRow(Base):
    """An API key, kept only as its SHA-256; ``prefix`` is its non-secret start, for display."""

    __tablename__ = "api_keys"
    __table_args__ = (
        Index("ix_api_keys_hash", "key_hash", unique=True),  # every request looks a key up
        Index("ix_api_keys_user", "user_name"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"))
    key_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[float] = mapped_column(Float)
    revoked_at: Mapped[float | None] = mapped_column(Float, nullable=True)


class JobRow(Base):
    """An upload being ingested by the server; survives restarts (resumed on start)."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_state", "state"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # queued, running, done, failed
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)
    groups_json: Mapped[str] = mapped_column(Text)  # null: keep; [] : public
    files_json: Mapped[str] = mapped_column(Text)  # [{"name", "size"}]
    results_json: Mapped[str] = mapped_column(Text, default="[]")  # [{"name", "status", …}]
    error: Mapped[str] = mapped_column(Text, default="")


class AuditRow(Base):
    """One event of the append-only, hash-chained audit trail (see ``jisik.audit.chain``).

    ``payload_hash`` commits to the salted payload, ``hash`` links the event to the
    one before. Erasure and retention may blank ``payload_json`` and ``salt``
    (``redacted``) without breaking the chain.
    """

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_trace", "trace_id"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[float] = mapped_column(Float)
    action: Mapped[str] = mapped_column(String(48))
    actor: Mapped[str] = mapped_column(String(80))
    trace_id: Mapped[str] = mapped_column(String(32))
    payload_json: Mapped[str] = mapped_column(Text)
    salt: Mapped[str] = mapped_column(String(32))
    payload_hash: Mapped[str] = mapped_column(String(64))
    # Unique: two writers racing for the same predecessor cannot fork the chain.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))
    redacted: Mapped[bool] = mapped_column(Boolean, default=False)


class AnswerHashRow(Base):
    """Hashes of answers (and their sentences) this system produced: `jisik audit lookup`."""

    __tablename__ = "answer_hashes"
    __table_args__ = (Index("ix_answer_hashes_trace", "trace_id"),)

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    trace_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    at: Mapped[float] = mapped_column(Float)
    whole: Mapped[bool] = mapped_column(Boolean)  # the whole answer, or one sentence of it


class PiiPolicyRow(Base):
    """One action for one PII type, for the home (scope "*") or for a group."""

    __tablename__ = "pii_policies"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    action: Mapped[str] = mapped_column(String(16))


class GenerationRow(Base):
    """A counter moved in the same transaction as a change that readers cache
    (``pii_policy``): a process compares one integer instead of re-reading the table,
    and sees another process's change at its next read."""

    __tablename__ = "generations"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class ConversationRow(Base):
    """One user's conversation with the assistant (the web UI's sidebar, `jisik chat`)."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_owner_updated", "owner", "updated_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner: Mapped[str] = mapped_column(String(80))  # the actor: "user:NAME", "cli:LOGIN"
    title: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class TurnRow(Base):
    """One message of a conversation: a question (with the standalone question it was
    understood as) or an answer (with its citations and audit trace)."""

    __tablename__ = "conversation_turns"
    __table_args__ = (
        Index("ix_turns_conversation_seq", "conversation_id", "seq", unique=True),
        Index("ix_turns_at", "at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # "user" or "assistant"
    text: Mapped[str] = mapped_column(Text)
    standalone: Mapped[str] = mapped_column(Text, default="")  # a user turn, rewritten
    trace_id: Mapped[str] = mapped_column(String(32), default="")
    details_json: Mapped[str] = mapped_column(Text, default="{}")  # citations, labels
    at: Mapped[float] = mapped_column(Float)


class PasswordRow(Base):
    """A user's web sign-in password, kept only as its Argon2id hash."""

    __tablename__ = "user_passwords"

    user_name: Mapped[str] = mapped_column(
        ForeignKey("users.name", ondelete="CASCADE"), primary_key=True
    )
    hash: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[float] = mapped_column(Float)


class WebSessionRow(Base):
    """A signed-in browser: the cookie's token is kept only as its SHA-256."""

    __tablename__ = "web_sessions"
    __table_args__ = (Index("ix_web_sessions_user", "user_name"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name", ondelete="CASCADE"))
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    last_seen: Mapped[float] = mapped_column(Float)


class FeedbackRow(Base):
    """A reader's verdict on one answer (the answer's audit trace), for admins to review."""

    __tablename__ = "feedback"
    __table_args__ = (
        Index("ix_feedback_at", "at"),
        Index("ix_feedback_trace", "trace_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    trace_id: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(80))
    verdict: Mapped[str] = mapped_column(String(16))  # "helpful" or "wrong"
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[float] = mapped_column(Float)
