"""Plain-text tables for a terminal: widths in display columns, so Chinese lines up.

East Asian wide and full-width characters take two columns, combining marks none. A table
that does not fit the terminal has its widest columns cut (with …); one that cannot fit even
so is shown as records, one `name  value` line per cell, long values wrapped.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

ELLIPSIS = "…"
GAP = "  "
#: Narrowest a column is cut to before the table switches to records.
MIN_COLUMN = 8


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
    """`text` cut to at most `limit` columns, ending in … when cut."""
    if width(text) <= limit:
        return text
    out, used = [], 0
    for char in text:
        size = _char_width(char)
        if used + size > limit - 1:
            break
        out.append(char)
        used += size
    return "".join(out) + ELLIPSIS


def pad(text: str, size: int) -> str:
    return text + " " * (size - width(text))


def wrap(text: str, limit: int) -> list[str]:
    """`text` broken into lines of at most `limit` columns (at spaces where possible)."""
    lines: list[str] = []
    line, used = "", 0
    for char in text:
        size = _char_width(char)
        if used + size > limit:
            cut = line.rfind(" ")
            if cut > 0 and char != " ":
                lines.append(line[:cut])
                line = line[cut + 1 :]
            else:
                lines.append(line)
                line = ""
            used = width(line)
        if char == " " and not line:
            continue
        line += char
        used += size
    return [*lines, line] if line or not lines else lines


def _fit(natural: list[int], total: int) -> list[int] | None:
    """Column widths that fit `total`, cutting the widest first; None if impossible."""
    widths = list(natural)
    room = total - len(GAP) * (len(widths) - 1)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=widths.__getitem__)
        if widths[widest] <= MIN_COLUMN:
            return None
        widths[widest] -= 1
    return widths


def render(headers: Sequence[str], rows: Sequence[Sequence[str]], max_width: int) -> str:
    """A table of `rows` under `headers` in at most `max_width` columns (records if need be)."""
    cells = [[_flat(cell) for cell in row] for row in rows]
    natural = [max([width(h), *(width(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    widths = _fit(natural, max_width)
    if widths is None:
        return _records(headers, cells, max_width)
    lines = [GAP.join(pad(clip(h, w), w) for h, w in zip(headers, widths, strict=True))]
    lines.append(GAP.join("-" * w for w in widths))
    for row in cells:
        lines.append(GAP.join(pad(clip(c, w), w) for c, w in zip(row, widths, strict=True)))
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
