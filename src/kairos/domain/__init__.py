"""Typed entities and rules of the coaching domain. Nothing in here reads a clock, a file or a database."""
