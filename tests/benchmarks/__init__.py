"""Wise's benchmarks (`make bench`, or `.venv/bin/python -m tests.benchmarks [--quick]`).

Not tests: pytest never collects them (the files are named bench_*.py and tests/benchmarks
is outside pytest's testpaths). See __main__.py for what is measured and how.
"""
