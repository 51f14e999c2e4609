"""Documents get a display source: the path relative to the folder that was added.

Readers who are not admins see this instead of the absolute path on the server.
Existing documents get their file name (an upload keeps its upload name).

Revision ID: 0004
Revises: 0003
"""

from pathlib import PurePath

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "documents", sa.Column("display_source", sa.Text, nullable=False, server_default="")
    )
    documents = sa.table(
        "documents", sa.column("id", sa.String), sa.column("source"), sa.column("display_source")
    )
    connection = op.get_bind()
    for doc_id, source in connection.execute(sa.select(documents.c.id, documents.c.source)):
        shown = (
            source.removeprefix("upload:")
            if source.startswith("upload:")
            else PurePath(source).name
        )
        connection.execute(
            documents.update().where(documents.c.id == doc_id).values(display_source=shown)
        )


def downgrade() -> None:
    op.drop_column("documents", "display_source")
