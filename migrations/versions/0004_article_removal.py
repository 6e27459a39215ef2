"""Articles can be removed (soft): who removed one and when.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("deleted_by", sa.String(36), nullable=True))
        batch.create_foreign_key(
            "fk_articles_deleted_by_reviewers", "reviewers", ["deleted_by"], ["id"]
        )
    # The file's format number, read before SQLite opens it; other databases have no such thing.
    if op.get_bind().dialect.name == "sqlite":
        op.execute("PRAGMA user_version = 4")


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
