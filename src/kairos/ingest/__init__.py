"""Importers, one module per source format.

Each validates a whole input, then writes its events and state in one transaction.
"""
