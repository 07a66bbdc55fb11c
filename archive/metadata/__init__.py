"""Metadata read from a document's text by rules that know Swedish municipal documents.

A value the text does not state stays empty (None or []); nothing is guessed. The municipality
a person gives (`--municipality`) wins over the text and chooses that municipality's data file.

`reading.read_metadata` runs the finders; this package imports none of them, so that what needs
only the municipality data (`profiles`: every command that filters) does not import them all.
"""
