"""What a person types into a search box, as an FTS5 expression and as words to highlight.

The syntax, the one search boxes taught everybody:

    iran oil              both words (anywhere in the article)
    "oil exports"         the phrase
    sanctions OR embargo  either
    -opinion              not this word
    sanction*             words starting so
    title:tehran          the word in one field (title, body, description, authors,
                          section, tags, url, mirror)

Every word reaches FTS5 inside double quotes, so nothing a user types (a colon, a bracket,
``NEAR``, a stray quote) is read as FTS5 syntax they did not mean; an unbalanced quote
closes at the end of the query.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from archive.search.index_schema import COLUMNS

_PART = re.compile(r'(-?)(?:(\w+):)?(?:"([^"]*)"?|(\S+))', re.UNICODE)
# a word as unicode61 reads one: letters and digits; "_" is punctuation to it
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class QueryError(ValueError):
    """A query with nothing to look for (only exclusions, only punctuation)."""


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]  # normalised (see ``normalise``); several: a phrase
    prefix: bool = False
    column: str | None = None
    excluded: bool = False


@dataclass(frozen=True)
class SearchQuery:
    text: str
    terms: tuple[Term, ...]
    any_of: bool  # OR between the terms instead of AND

    @property
    def expression(self) -> str:
        """The FTS5 MATCH expression."""
        wanted = [_fts_term(term) for term in self.terms if not term.excluded]
        joined = f" {'OR' if self.any_of else 'AND'} ".join(wanted)
        if self.any_of and len(wanted) > 1:
            joined = f"({joined})"
        excluded = "".join(f" NOT {_fts_term(term)}" for term in self.terms if term.excluded)
        return joined + excluded

    def highlight_words(self) -> tuple[list[str], list[str]]:
        """The words to mark in text (whole words, and prefixes)."""
        whole: list[str] = []
        prefixes: list[str] = []
        for term in self.terms:
            if term.excluded:
                continue
            if term.prefix:
                whole.extend(term.words[:-1])
                prefixes.append(term.words[-1])
            else:
                whole.extend(term.words)
        return whole, prefixes


def parse_query(text: str) -> SearchQuery:
    terms: list[Term] = []
    any_of = False
    for match in _PART.finditer(text):
        excluded, column, phrase, bare = match[1] == "-", match[2], match[3], match[4]
        if bare == "OR" and not excluded and column is None:
            any_of = True
            continue
        if column is not None and column.lower() not in COLUMNS:
            # "covid:19", a URL's "https:": not a field, so the whole part is words
            bare, phrase, column = match[0].lstrip("-"), None, None
        raw = phrase if phrase is not None else bare
        prefix = phrase is None and raw.endswith("*")
        words = tuple(normalise(word) for word in _WORD.findall(raw))
        if words:
            terms.append(Term(words, prefix, column.lower() if column else None, excluded))
    if not any(not term.excluded for term in terms):
        raise QueryError(f"{text!r}: no word to look for (an exclusion needs a word beside it)")
    return SearchQuery(text, tuple(terms), any_of)


def normalise(word: str) -> str:
    """As the index's tokenizer folds a word: case folded, diacritics removed."""
    if word.isascii():
        return word.lower()  # most words of most pages: no decomposition to do
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _fts_term(term: Term) -> str:
    quoted = '"' + " ".join(term.words).replace('"', '""') + '"'
    if term.prefix:
        quoted += "*"
    return f"{term.column} : {quoted}" if term.column else quoted
