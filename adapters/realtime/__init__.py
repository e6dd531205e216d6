"""Real-time progress: publishing order events to whoever watches the order."""
