"""Measurement: behavior-change evidence turned into metrics, never shown for a group below the minimum size."""
