"""Index for finding an annotation by its span (tagging the same span again changes it).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from alembic import op

from desktop.core.store.migrate import set_schema_version

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.create_index("ix_annotations_article_span", ["article_id", "start", "end"])
    set_schema_version(op, 3)


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
