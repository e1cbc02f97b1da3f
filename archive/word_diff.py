"""What changed between two versions of an article's text, word by word.

``difflib``'s matcher over words and the whitespace between them (so the pieces join
back into both texts exactly, and a word that gains a paragraph break after it is still the
same word): a reader sees "said *on Monday*" rather than
two whole paragraphs, one struck out and one new.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

_TOKEN = re.compile(r"\S+|\s+")

Operation = Literal["same", "deleted", "inserted"]


@dataclass(frozen=True)
class Piece:
    operation: Operation
    text: str


def word_diff(old: str, new: str) -> list[Piece]:
    """Pieces that spell ``old`` (same + deleted) and ``new`` (same + inserted), in order;
    a replaced run is its deletion, then its insertion."""
    before, after = _TOKEN.findall(old), _TOKEN.findall(new)
    # autojunk off: in a long article, common words ("the") would otherwise be junk and the
    # diff would fall apart into whole-paragraph replacements
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    pieces: list[Piece] = []
    for operation, i1, i2, j1, j2 in matcher.get_opcodes():
        if operation == "equal":
            _add(pieces, "same", "".join(before[i1:i2]))
            continue
        if i2 > i1:
            _add(pieces, "deleted", "".join(before[i1:i2]))
        if j2 > j1:
            _add(pieces, "inserted", "".join(after[j1:j2]))
    return pieces


def changed(pieces: list[Piece]) -> bool:
    return any(piece.operation != "same" for piece in pieces)


def _add(pieces: list[Piece], operation: Operation, text: str) -> None:
    if pieces and pieces[-1].operation == operation:
        pieces[-1] = Piece(operation, pieces[-1].text + text)
    else:
        pieces.append(Piece(operation, text))
