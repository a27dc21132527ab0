"""Kairos benchmark: people import vs. raw SQLite, calendar import, and one scheduler tick.

Run ``.venv/bin/python -m bench`` from the repository root; see ``bench/README.md``.
"""
