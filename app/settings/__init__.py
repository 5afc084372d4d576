"""Wise's settings: every option declared once (schema), stored in one TOML file (store)."""
