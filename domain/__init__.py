"""The business model of ticket upgrades. Standard library only: no I/O, no clock, no randomness."""
