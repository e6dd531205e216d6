"""Use cases and the ports they need. No framework, no I/O of its own."""
