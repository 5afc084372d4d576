"""The goal review window's parts: pages, dialogs and the plumbing they share.

The window itself is ui/review_window.py; every module here is Qt widgets over plain
sqlite3 reads and writes (storage.repo.ritual_reads, storage.ritual_writes), run on the
journal-writer thread, and `wise` child processes for anything a model does.
"""
