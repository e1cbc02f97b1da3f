"""Generic main-text detection for pages no site selector covers.

A readability-style scorer (``scoring``) over the page's text statistics (``text_stats``)
finds the article's containers; boilerplate is cut from the page and from inside them
(``cleanup``); their text is split into paragraphs, and paragraphs that are template chrome
(``chrome_lines``) dropped.  The entry point is ``extract.extract_body_paragraphs``.  The
class-name words, tag tables and chrome phrases these rules read live apart, in
``vocabulary``.
"""
