"""Alembic migrations for the journal; append-only, applied at start-up by storage.migrate."""
