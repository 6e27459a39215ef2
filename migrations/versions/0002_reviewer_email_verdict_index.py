"""Reviewer e-mail; index for verdict counts per article.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.core.store.migrate import set_schema_version

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reviewers") as batch:
        batch.add_column(sa.Column("email", sa.String(320), nullable=True))
    with op.batch_alter_table("annotations") as batch:
        batch.create_index("ix_annotations_article_verdict", ["article_id", "verdict"])
    set_schema_version(op, 2)


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
