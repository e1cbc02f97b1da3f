"""Which bodies at article URLs can be pages (archive/page_kind.py)."""

from __future__ import annotations

import pytest

from archive.page_kind import not_a_page

PAGE = "<!DOCTYPE html><html><head><title>Titre</title></head><body><p>Un texte é à ü.</p>"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (PAGE.encode("utf-8"), "text/html; charset=utf-8"),
        (PAGE.encode("utf-16"), "text/html"),  # with a byte-order mark
        (PAGE.encode("utf-16-le"), "text/html"),  # without one
        (PAGE.encode("cp1252"), None),
        (PAGE.encode("utf-8"), "application/octet-stream"),  # a page mislabelled
        ("<html><body>日本語の記事</body></html>".encode("shift_jis"), "text/html"),
        (b"", "text/html"),
    ],
    ids=["utf-8", "utf-16-bom", "utf-16-le", "cp1252", "mislabelled", "shift_jis", "empty"],
)
def test_pages_in_any_encoding_are_pages(body: bytes, content_type: str | None) -> None:
    assert not_a_page(body, content_type) is None


@pytest.mark.parametrize(
    ("body", "content_type", "says"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(300), "image/png", "served as image/png"),
        (b"%PDF-1.7\n" + bytes(range(256)), "application/pdf", "served as application/pdf"),
        (bytes(range(256)) * 4, "text/html", "binary data served as text/html"),
        (bytes(range(1, 32)) * 40, None, "binary data served as no content type"),
    ],
    ids=["png", "pdf", "random-as-html", "controls"],
)
def test_pictures_downloads_and_garbage_are_not(
    body: bytes, content_type: str | None, says: str
) -> None:
    assert not_a_page(body, content_type) == f"not a page: {says}"
