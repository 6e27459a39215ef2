"""Fetched web pages, PDF page starts, article author and vague publication dates.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from desktop.core.store.migrate import set_schema_version

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fetched_pages",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("url", sa.String(2048), nullable=False),
        sa.Column("final_url", sa.String(2048), nullable=False),
        sa.Column("redirects", sa.JSON(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(200), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.Column("fetched_by", sa.String(36), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["fetched_by"], ["reviewers.id"], name="fk_fetched_pages_fetched_by_reviewers"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_fetched_pages"),
    )
    op.create_index("ix_fetched_pages_sha256", "fetched_pages", ["sha256"])
    op.create_table(
        "article_pages",
        sa.Column("article_id", sa.String(36), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"], ["articles.id"], name="fk_article_pages_article_id_articles"
        ),
        sa.PrimaryKeyConstraint("article_id", "page", name="pk_article_pages"),
    )
    # Finds an offset's page with one seek: the last page starting at or before it.
    op.create_index(
        "ix_article_pages_article_start", "article_pages", ["article_id", "start", "page"]
    )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("published_precision", sa.String(5), nullable=True))
        batch.add_column(sa.Column("author", sa.String(500), nullable=True))
        batch.add_column(sa.Column("fetched_page_id", sa.String(36), nullable=True))
        batch.create_foreign_key(
            "fk_articles_fetched_page_id_fetched_pages",
            "fetched_pages",
            ["fetched_page_id"],
            ["id"],
        )
    set_schema_version(op, 8)


def downgrade() -> None:
    raise NotImplementedError("project files are never downgraded; restore a backup instead")
