"""Blind review, done marks, adjudicators and settlements; final annotations.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.core.store.migrate import set_schema_version

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.String(36)


def _reviewer(column: str, *, nullable: bool = False) -> sa.Column[str]:
    return sa.Column(column, ID, sa.ForeignKey("reviewers.id"), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("annotations") as batch:
        batch.add_column(
            sa.Column("final", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "blinding",
        sa.Column("id", ID, primary_key=True),
        sa.Column("article_id", ID, sa.ForeignKey("articles.id"), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        _reviewer("started_by"),
    )
    op.create_table(
        "done_marks",
        sa.Column("id", ID, primary_key=True),
        sa.Column("article_id", ID, sa.ForeignKey("articles.id"), nullable=False),
        _reviewer("reviewer_id"),
        sa.Column("done_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("article_id", "reviewer_id"),
    )
    op.create_table(
        "adjudicators",
        sa.Column("reviewer_id", ID, sa.ForeignKey("reviewers.id"), primary_key=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        _reviewer("added_by"),
    )
    op.create_table(
        "settlements",
        sa.Column("id", ID, primary_key=True),
        sa.Column("article_id", ID, sa.ForeignKey("articles.id"), nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _reviewer("created_by"),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        _reviewer("withdrawn_by", nullable=True),
        sa.CheckConstraint(
            "outcome IN ('accepted', 'verdict', 'untagged', 'agreed')", name="outcome"
        ),
    )
    op.create_index("ix_settlements_article_id", "settlements", ["article_id"])
    op.create_table(
        "settlement_links",
        sa.Column("settlement_id", ID, sa.ForeignKey("settlements.id"), primary_key=True),
        sa.Column("annotation_id", ID, sa.ForeignKey("annotations.id"), primary_key=True),
        sa.Column("role", sa.String(8), nullable=False),
        sa.CheckConstraint("role IN ('settled', 'final')", name="role"),
    )
    op.create_index("ix_settlement_links_annotation_id", "settlement_links", ["annotation_id"])
    set_schema_version(op, 6)


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
