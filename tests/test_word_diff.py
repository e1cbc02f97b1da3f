"""The word diff history prints: its pieces spell both versions exactly, and a change is
the words that changed, not the paragraph around them."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from archive.word_diff import changed, word_diff

_TEXT = st.lists(
    st.sampled_from(["oil", "talks", "Tehran", " ", "\n\n", "said.", "é"]), max_size=40
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT)
def test_the_pieces_spell_both_texts(old: str, new: str) -> None:
    pieces = word_diff(old, new)
    assert "".join(p.text for p in pieces if p.operation != "inserted") == old
    assert "".join(p.text for p in pieces if p.operation != "deleted") == new
    assert changed(pieces) == (old != new)


def test_a_changed_word_in_a_long_text_is_that_word() -> None:
    words = [f"word{n}" for n in range(400)]
    old = " ".join(words)
    new = " ".join(["the" if n == 200 else w for n, w in enumerate(words)])
    changes = [p for p in word_diff(old, new) if p.operation != "same"]
    assert [(p.operation, p.text) for p in changes] == [("deleted", "word200"), ("inserted", "the")]
