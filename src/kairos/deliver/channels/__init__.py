"""One module per channel."""
