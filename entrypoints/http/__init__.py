"""The HTTP entrypoint (Litestar): REST, WebSocket progress, health, metrics and the schema."""
