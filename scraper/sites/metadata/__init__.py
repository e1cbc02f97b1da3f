"""Structured article metadata: JSON-LD, OpenGraph, Dublin Core, itemprop, <time>.

``read`` merges the sources field by field (which one wins for each field); ``jsonld``,
``meta_tags`` and ``page_index`` find and read the markup; ``dates`` and ``authors`` clean
what it states.  Nothing is guessed from prose, and pages are hostile input: every reader
swallows its own errors rather than losing the whole record to one malformed block.
"""
