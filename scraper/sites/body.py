"""Generic main-text detection for pages no site selector covers.

STUB: being written; the signature is the contract.
"""
from __future__ import annotations

from bs4 import BeautifulSoup


def extract_body_paragraphs(soup: BeautifulSoup) -> list[str]:
    """The article's paragraphs, boilerplate removed. May modify ``soup``: call it last."""
    return []
