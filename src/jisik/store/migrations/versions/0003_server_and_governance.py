"""Server upload jobs and the access log.

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
        "access_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("query", sa.Text, nullable=False, server_default=""),
        sa.Column("doc_ids_json", sa.Text, nullable=False, server_default="[]"),
        sa.Column("trace_id", sa.String(32), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_access_log_at", "access_log", ["at"])


def downgrade() -> None:
    op.drop_table("access_log")
    op.drop_table("jobs")
