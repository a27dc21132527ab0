"""Plays: the schema, the library loader, matching events to plays, and the timing rules of scheduling."""
