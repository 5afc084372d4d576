"""The companion's memory at a bounded cost: a token-budgeted context for the daily
reflection (context.py), day and week summaries made once by the nightly job
(summaries.py), and a tokenizer-free token estimate (tokens.py).

Import the submodules directly (`from app.memory.context import ...`): this package
imports nothing, so that importing one part never pulls in the others.
"""
