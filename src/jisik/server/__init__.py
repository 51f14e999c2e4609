"""The HTTP server: REST under /v1, OpenAI-compatible chat, per-document permissions."""
