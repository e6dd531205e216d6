"""Database migrations (Alembic). Run them with `tap migrate`."""
