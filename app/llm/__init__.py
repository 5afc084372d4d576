"""The model layer: one gateway to the user's language model, with litellm kept in a worker
process. Only app/llm/worker_main.py imports litellm, and only inside that process."""
