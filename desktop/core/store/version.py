"""The schema this program writes, readable without SQLAlchemy or Alembic."""

# The newest migration, and the number it writes to PRAGMA user_version. A test checks them
# against migrations/.
HEAD_REVISION = "0009"
SCHEMA_VERSION = 9
