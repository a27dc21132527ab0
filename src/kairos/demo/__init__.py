"""The demo: a believable organization run through the real engine over two simulated weeks."""
