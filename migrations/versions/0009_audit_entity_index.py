"""Index of the audit log by entity: an entity's events in order, its last one at once.

Verifying replays every entity's events against its row; this index spares sorting the whole
log to find each entity's history.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

from desktop.core.store.migrate import set_schema_version

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_audit_events_entity", "audit_events", ["entity_type", "entity_id", "seq"])
    set_schema_version(op, 9)


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
