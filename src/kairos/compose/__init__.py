"""Compose: write the nudge from the organization's own words, the person's goal and the decision."""
