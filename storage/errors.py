"""Storage failures worded for the person who will read them."""


class StorageError(Exception):
    """The journal could not be read or written; the message says why and what to do."""


class JournalBusy(StorageError):
    """Another program held the journal's write lock for longer than we wait."""


class JournalCorrupt(StorageError):
    """The database file is damaged or is not a Wise journal."""


class JournalNotWritable(StorageError):
    """The data folder or the database file cannot be written."""


class JournalTooNew(StorageError):
    """The journal was written by a newer Wise; this one must not touch it."""


class ImportRejected(StorageError):
    """An import file was refused as a whole; the message names its first problem."""
