"""Payment gateway adapters."""
