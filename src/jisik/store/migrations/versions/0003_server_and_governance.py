"""Server upload jobs, the audit trail, the answer-hash registry, PII policies, registry fields.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("groups_json", sa.Text, nullable=False),
        sa.Column("files_json", sa.Text, nullable=False),
        sa.Column("results_json", sa.Text, nullable=False, server_default="[]"),
        sa.Column("error", sa.Text, nullable=False, server_default=""),
    )
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("action", sa.String(48), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sa.Column("payload_json", sa.Text, nullable=False),
        sa.Column("salt", sa.String(32), nullable=False),
        sa.Column("payload_hash", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("redacted", sa.Boolean, nullable=False, server_default=sa.false()),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_audit_events_at", "audit_events", ["at"])
    op.create_index("ix_audit_events_trace", "audit_events", ["trace_id"])
    op.create_table(
        "answer_hashes",
        sa.Column("hash", sa.String(64), primary_key=True),
        sa.Column("trace_id", sa.String(32), primary_key=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("whole", sa.Boolean, nullable=False),
    )
    op.create_index("ix_answer_hashes_trace", "answer_hashes", ["trace_id"])
    op.create_table(
        "pii_policies",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("action", sa.String(16), nullable=False),
    )
    # Plain ADD COLUMN, never a batch table copy: copying would drop and recreate
    # `documents`, and with foreign keys on that cascades into every version.
    op.add_column("documents", sa.Column("owner", sa.Text, nullable=False, server_default=""))
    op.add_column("documents", sa.Column("licence", sa.Text, nullable=False, server_default=""))
    op.add_column("versions", sa.Column("pii_json", sa.Text, nullable=True))


def downgrade() -> None:
    op.drop_column("versions", "pii_json")  # SQLite >= 3.35 drops columns in place
    op.drop_column("documents", "licence")
    op.drop_column("documents", "owner")
    op.drop_table("pii_policies")
    op.drop_table("answer_hashes")
    op.drop_table("audit_events")
    op.drop_table("jobs")
