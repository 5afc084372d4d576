"""The journal's repository: typed reads and writes of the journal's tables, one module
per area (goals, steps, nudges), stdlib sqlite3 only, frozen dataclasses out. Writes take
a `storage.db.Tx` (the one transaction helper), reads a connection."""
