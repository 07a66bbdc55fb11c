"""Relevance harness for search (issue 6): `python -m tests.relevance`; see harness.py."""
