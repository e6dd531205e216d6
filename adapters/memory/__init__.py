"""The in-memory store: a small transactional database in one process (the memory profile)."""
