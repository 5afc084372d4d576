"""Sync across devices through storage the user already has: the encryption, the batch
files, the folder and WebDAV transports, the phone inbox and the engine that runs one sync.
The change log and the merge are storage/sync's; see SYNC.md for the design."""
