"""Composition and operations: settings, the container, logging, demo data."""
