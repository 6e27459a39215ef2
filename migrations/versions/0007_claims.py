"""Claims: annotations that tag the same claim in different versions share a claim id.

``claim_id`` is NULL for an annotation that is its own claim; an annotation carried to
another version takes the claim id of its source (its ``claim_id``, or its own id). Ids are
UUIDs, so files edited apart and merged later keep their claims apart or together as made.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.core.store.migrate import set_schema_version

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.add_column(sa.Column("claim_id", sa.String(36), nullable=True))
        batch.create_index("ix_annotations_claim", ["claim_id"])
    set_schema_version(op, 7)


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
