"""The journal's storage: SQLAlchemy models, engine setup, migrations, backups and export.

Knows nothing of Qt, language models or prompts.
"""
