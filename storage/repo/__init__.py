"""The journal's repository: one module per area, typed functions returning frozen
dataclasses; the only code outside the schema and migrations that touches journal tables."""
