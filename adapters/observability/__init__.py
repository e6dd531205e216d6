"""Observability adapters: business metrics for Prometheus."""
