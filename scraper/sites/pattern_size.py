"""How big a regular expression becomes once compiled, known before compiling it.

The ``regex`` module unrolls counted repeats when it compiles: ``a{4294967294}`` asks for
1.9 GB and ``(?:(?:a{1000}){1000}){1000})`` for 2.6 GB, from a 30-character ``article_url``
that any WARC's embedded profile may carry.  Neither ``re`` nor ``regex`` takes a size limit,
and both parse only as part of compiling, so the pattern is scanned here first: every atom
counts 1, a counted repeat multiplies what it repeats by its larger count (``{2,9}`` by 9,
``{3,}`` by 3; ``*``, ``+`` and ``?`` loop without unrolling), groups and alternatives add
up.  The scan errs on the side of a larger size (a brace that may not be a repeat, an escape
it does not know, verbose-mode spaces are counted as atoms), never a smaller one.
"""

from __future__ import annotations

import re

# A URL pattern a site needs is a few hundred characters unrolled (``\d{4}`` is 4); these
# leave room for any real one and bound compilation to a few MB and milliseconds.
MAX_PATTERN_CHARS = 4096
MAX_PATTERN_SIZE = 20_000
# ``regex`` parses groups recursively: some 200 nested groups exhaust Python's stack.
MAX_GROUP_DEPTH = 50

# ``{m}``, ``{m,}``, ``{,n}``, ``{m,n}`` as ``regex`` reads a counted repeat; fuzzy constraints
# (``{e<=1}``) are not one.
_COUNTED = re.compile(r"\{(\d*)(,?)(\d*)\}")
# Escapes followed by a braced or bracketed argument that is no repeat: \p{L}, \N{name},
# \x{41}, \g<name>, \L<list>.
_BRACED_ESCAPES = frozenset("pPNxuUgLk")


class PatternTooLarge(ValueError):
    """A pattern whose compiled form would take more than the bound; the message says why."""


def check_pattern_size(pattern: str) -> None:
    """Raise ``PatternTooLarge`` for a pattern too long, or whose repeats unroll too far."""
    if len(pattern) > MAX_PATTERN_CHARS:
        raise PatternTooLarge(f"is {len(pattern)} characters long (at most {MAX_PATTERN_CHARS})")
    depth = group_depth(pattern)
    if depth > MAX_GROUP_DEPTH:
        raise PatternTooLarge(f"nests {depth} groups deep (at most {MAX_GROUP_DEPTH})")
    size = pattern_size(pattern)
    if size > MAX_PATTERN_SIZE:
        shown = size if size < 10**15 else f"about 10^{len(str(size)) - 1}"
        raise PatternTooLarge(
            f"unrolls to {shown} parts once its counted repeats are expanded (at most "
            f"{MAX_PATTERN_SIZE}: use + or * instead of large counts like {{1000}})"
        )


def pattern_size(pattern: str) -> int:
    """An upper bound on the number of atoms the compiled pattern holds, repeats unrolled."""
    # One frame per open group: (size of the group's items so far, size of its last atom).
    frames: list[list[int]] = [[0, 0]]
    i = 0
    n = len(pattern)
    while i < n:
        char = pattern[i]
        frame = frames[-1]
        if char == "{":
            counted = _COUNTED.match(pattern, i)
            if counted is not None and (counted.group(1) or counted.group(3)):
                low, high = counted.group(1), counted.group(3)
                times = max(int(low or 0), int(high or 0) if counted.group(2) else int(low or 0))
                # the last atom, counted once already, now stands ``times`` times
                frame[0] += frame[1] * (times - 1)
                frame[1] *= times
                i = counted.end()
                continue
            frame[0] += 1
            frame[1] = 1
            i += 1
            continue
        if char == "(":
            if pattern.startswith("(?#", i):  # a comment: nothing to compile
                end = pattern.find(")", i)
                i = n if end < 0 else end + 1
                continue
            frames.append([0, 0])
            i += 1
            continue
        if char == ")":
            if len(frames) > 1:
                inner = frames.pop()[0] + 1
                outer = frames[-1]
                outer[0] += inner
                outer[1] = inner
            i += 1
            continue
        if char in "*+?|" or char.isspace():
            # loops and alternatives unroll nothing; a space may be verbose-mode layout, so
            # it does not take the place of the atom a following count repeats
            frame[0] += 1
            frame[1] = max(frame[1], 1)
            i += 1
            continue
        i = _atom_end(pattern, i)
        frame[0] += 1
        frame[1] = 1
    while len(frames) > 1:  # unclosed groups: compiling will refuse them, count them anyway
        inner = frames.pop()[0] + 1
        frames[-1][0] += inner
    return frames[0][0]


def group_depth(pattern: str) -> int:
    """An upper bound on how deeply the pattern's groups nest (a '(' in a set counted too)."""
    depth = deepest = 0
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif char == ")":
            depth = max(depth - 1, 0)
    return deepest


def _atom_end(pattern: str, i: int) -> int:
    """Where the atom starting at ``i`` (a character, an escape, a set) ends."""
    char = pattern[i]
    if char == "\\":
        if i + 2 < len(pattern) and pattern[i + 1] in _BRACED_ESCAPES:
            close = {"{": "}", "<": ">"}.get(pattern[i + 2])
            if close is not None:
                end = pattern.find(close, i + 3)
                return len(pattern) if end < 0 else end + 1
        return i + 2
    if char == "[":
        # a set: a first ']' (after '^') is a member; escapes are skipped.  Nested sets of
        # regex's version 1 end early here, and their rest is counted as atoms: larger.
        j = i + 1
        if j < len(pattern) and pattern[j] == "^":
            j += 1
        if j < len(pattern) and pattern[j] == "]":
            j += 1
        while j < len(pattern) and pattern[j] != "]":
            j += 2 if pattern[j] == "\\" else 1
        return min(j + 1, len(pattern))
    return i + 1
