"""Email adapters: the renderer (Jinja2 templates) and the senders."""
