"""Plain-text tables for a terminal: widths in display columns, so Chinese lines up.

East Asian wide and full-width characters take two columns, combining marks none. A table
wider than the terminal has its widest columns narrowed and their cells wrapped onto more
lines (at a space where there is one, else between any two characters), never cut; when rows
take several lines, a blank line sets each apart. A table that cannot fit even so is shown as
records, one `name  value` line per cell, long values wrapped.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

GAP = "  "
#: Narrowest a column is made before the table switches to records.
MIN_COLUMN = 8
#: Longest word a column keeps whole; a longer one (a URL) may be broken.
LONG_WORD = 20


def width(text: str) -> int:
    """How many terminal columns `text` takes."""
    return len(text) if text.isascii() else sum(map(_char_width, text))


@functools.cache
def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in "WF" else 1


def _flat(text: str) -> str:
    return " ".join(text.split()) if any(c in text for c in "\n\r\t") else text


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` columns, ending in … when cut: for a one-line mention
    outside a table (a table wraps its cells instead)."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        size = _char_width(char)
        if used + size > limit - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + "…"


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def _tokens(text: str) -> list[str]:
    """`text` as the pieces a line may break between: words of narrow characters (a
    hyphenated word also after each hyphen), single wide (Chinese) characters, and spaces."""
    tokens, word = [], ""
    for char in text:
        if char.isspace() or _char_width(char) == 2:
            if word:
                tokens.append(word)
                word = ""
            tokens.append(char)
        else:
            word += char
            if char == "-" and len(word) > 1:
                tokens.append(word)
                word = ""
    return [*tokens, word] if word else tokens


def _pieces(token: str, limit: int) -> list[str]:
    """A word longer than `limit` columns, broken into pieces that fit."""
    pieces, piece = [], ""
    for char in token:
        if piece and width(piece) + _char_width(char) > limit:
            pieces.append(piece)
            piece = ""
        piece += char
    return [*pieces, piece]


def wrap(text: str, limit: int) -> list[str]:
    """`text` broken into lines of at most `limit` columns: at spaces and beside Chinese
    characters, inside a word only when the word is longer than a line."""
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if token.isspace():
            line += " " if line and not line.endswith(" ") else ""
            continue
        for piece in _pieces(token, limit):
            if line.strip() and width(line) + width(piece) > limit:
                lines.append(line.rstrip())
                line = ""
            line += piece
    return [*lines, line.rstrip()] if line.strip() or not lines else lines


def _narrowest(header: str, cells: Sequence[str]) -> int:
    """How narrow a column may get: its header and its words whole (Chinese, which breaks
    between any two characters, has no words), and never under MIN_COLUMN."""
    words = [word for cell in cells for word in cell.split() if word.isascii()]
    longest = max([width(header), *(min(len(word), LONG_WORD) for word in words)])
    return max(MIN_COLUMN, longest)


def _fit(natural: list[int], least: list[int], total: int) -> list[int] | None:
    """Column widths that fit `total`, narrowing the widest first, none under its `least`;
    None if impossible."""
    widths = list(natural)
    room = total - len(GAP) * (len(widths) - 1)
    while sum(widths) > room:
        narrowable = [i for i, size in enumerate(widths) if size > least[i]]
        if not narrowable:
            return None
        widths[max(narrowable, key=widths.__getitem__)] -= 1
    return widths


def _lines(cells: Sequence[str], widths: Sequence[int]) -> list[str]:
    """One row of cells, each wrapped to its column, as the lines it takes."""
    wrapped = [wrap(cell, size) for cell, size in zip(cells, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    return [
        GAP.join(
            pad(lines[n] if n < len(lines) else "", size)
            for lines, size in zip(wrapped, widths, strict=True)
        )
        for n in range(height)
    ]


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], max_width: int) -> str:
    """A table of `rows` under `headers` in at most `max_width` columns (records if need be)."""
    cells = [[_flat(cell) for cell in row] for row in rows]
    natural = [max([width(h), *(width(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    least = [
        min(size, _narrowest(h, [row[i] for row in cells]))
        for i, (h, size) in enumerate(zip(headers, natural, strict=True))
    ]
    widths = _fit(natural, least, max_width)
    if widths is None:
        return _records(headers, cells, max_width)
    lines = _lines(headers, widths)
    lines.append(GAP.join("-" * w for w in widths))
    body = [_lines(row, widths) for row in cells]
    spaced = any(len(row) > 1 for row in body)
    for number, row in enumerate(body):
        lines += ([""] if spaced and number else []) + row
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _records(headers: Sequence[str], rows: Sequence[Sequence[str]], max_width: int) -> str:
    key_width = max(width(h) for h in headers)
    value_width = max(max_width - key_width - len(GAP), MIN_COLUMN)
    lines = []
    for number, row in enumerate(rows, 1):
        lines.append((f"-- {number} " + "-" * max_width)[:max_width])
        for header, cell in zip(headers, row, strict=True):
            if not cell:
                continue
            wrapped = wrap(cell, value_width)
            lines.append(pad(header, key_width) + GAP + wrapped[0])
            lines += [" " * (key_width + len(GAP)) + more for more in wrapped[1:]]
    return "\n".join(line.rstrip() for line in lines) + "\n"
