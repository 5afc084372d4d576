"""The companion's words: versioned prompt templates and their output schemas (coming with
the model layer)."""
