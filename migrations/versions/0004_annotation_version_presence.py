"""Annotation versions (edits name the version they were made on) and who has a project open.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.core.store.migrate import set_schema_version

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    # Every audited change of an annotation counts as one version, so the log and the rows
    # agree from the start.
    op.execute(
        "UPDATE annotations SET version = (SELECT count(*) FROM audit_events e "
        "WHERE e.entity_type = 'annotation' AND e.entity_id = annotations.id) "
        "WHERE EXISTS (SELECT 1 FROM audit_events e "
        "WHERE e.entity_type = 'annotation' AND e.entity_id = annotations.id)"
    )
    op.create_table(
        "presence",
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("reviewer", sa.String(200), nullable=False),
        sa.Column("host", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("seen_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_presence")),
    )
    set_schema_version(op, 4)


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
