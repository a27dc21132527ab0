"""Inbound endpoints of the channels that call Kairos back (Slack interactions and events, Teams activities)."""
