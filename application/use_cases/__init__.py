"""One module per use case: a small class with its ports injected and one public method."""
