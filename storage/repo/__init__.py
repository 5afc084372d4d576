"""The journal's repository: typed reads and writes of the journal's tables, one module
per area, stdlib sqlite3, frozen dataclasses out; the only code outside the schema and
migrations that touches journal tables. Writes take a `storage.db.Tx` (the one
transaction helper), or the journal's path when the write is a transaction of its own;
reads take a connection (or the path)."""
