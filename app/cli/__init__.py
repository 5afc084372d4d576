"""The `wise` command line: one module per topic, imported only when its command runs."""
