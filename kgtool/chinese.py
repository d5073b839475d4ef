"""Traditional and Simplified Chinese: one key for look-ups, and Simplified forms of labels.

The article is in Traditional characters; half of its readers type Simplified ones. Both are
folded to Simplified with OpenCC (the `opencc` package, the project's own Python binding),
whose phrase and character tables handle the one-to-many cases (`髮`, `發` → `发`) that a
character map learned from a few labels cannot. OpenCC is imported on first use: a look-up
that involves no Chinese never loads it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Sequence

#: Han ideographs (the unified blocks and compatibility forms), the characters that differ
#: between the two scripts.
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")


@functools.cache
def _converter(config: str) -> Callable[[str], str]:
    import opencc

    convert: Callable[[str], str] = opencc.OpenCC(config).convert
    return convert


def to_simplified(text: str) -> str:
    """`text` with its Traditional characters and phrases written in Simplified Chinese."""
    return _converter("t2s")(text) if HAN.search(text) else text


def fold(text: str) -> str:
    """The key under which a name is looked up: NFKC-normalised, Simplified, case-folded,
    with runs of white space as one space. `fold("白宮")` equals `fold("白宫")`."""
    return fold_all([text])[0]


def fold_all(texts: Sequence[str]) -> list[str]:
    """`fold` of each text, converted by OpenCC in one call: a call costs far more than a
    character (1,500 labels: 1 ms at once, 10 ms one by one)."""
    if not texts:
        return []
    normal = [" ".join(unicodedata.normalize("NFKC", text).split()) for text in texts]
    # one label per line: no label holds a line break any more, and no OpenCC phrase spans one
    return [line.casefold() for line in to_simplified("\n".join(normal)).split("\n")]
