"""Test support: fresh databases, test servers. Not product code."""
