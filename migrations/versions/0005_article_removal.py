"""Articles can be removed (soft): who removed one and when.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.core.store.migrate import set_schema_version

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("deleted_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("deleted_by", sa.String(36), nullable=True))
        batch.create_foreign_key(
            "fk_articles_deleted_by_reviewers", "reviewers", ["deleted_by"], ["id"]
        )
    set_schema_version(op, 5)


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
