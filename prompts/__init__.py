"""The companion's words: one versioned template per prompt (`*.md`, TOML front matter),
their output schemas, and the code that renders and reads them.

- `loader`: list, load and render prompts into chat messages; journal text is fenced as
  data (standard library only, so listing and rendering stay cheap).
- `schemas`: the pydantic models of the structured replies.
- `structured`: JSON schema or format instructions for a prompt, a tolerant parser for the
  reply, and the one repair retry.
- `voice`: checks that text keeps the companion's voice (no shame, diagnosis or hype).

No I/O beyond reading this package's own files; nothing here imports app/, ui/, storage/,
Qt or litellm.
"""
