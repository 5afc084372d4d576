"""Sync's storage side: the change log the database keeps by itself (triggers, written in
migration 0008_sync), stamping it with the device's hybrid logical clock, and merging other
devices' operations into the journal. Standard library and sqlite3 only; the encryption,
the transports and the schedule are app/sync's."""
