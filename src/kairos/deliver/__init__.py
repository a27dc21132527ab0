"""Deliver: channels that carry a nudge to where people work, and the bookkeeping that makes delivery exactly-once."""
