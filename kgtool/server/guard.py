"""What a SPARQL request is, found by tokenizing it the way the SPARQL grammar does.

pyoxigraph cannot hand out a query's algebra, so the endpoint reads the text with a tokenizer
that follows the SPARQL 1.1 lexical grammar (IRIs, prefixed names with their escapes,
variables, language tags, the four kinds of string, comments). A keyword is only ever a bare
word outside all of those, so `SERVICE` in a string, a comment, an IRI or a variable is no
keyword, while `service`, `Service` and `SERVICE` after a comment or a line break are.

`Scan` gives the query form (to choose a result format before running anything), whether the
query names its own dataset (`FROM`), the `SERVICE` calls it makes, and whether its answer
may be cached. `check_services` refuses any `SERVICE` not allow-listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from kgtool.errors import KgtoolError

# The SPARQL 1.1 grammar's character classes (section 19.8, productions 164-173).
_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}.]*[{_CHARS}])?"
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:(?:[{_CHARS}.:]|{_PLX})*(?:[{_CHARS}:]|{_PLX}))?"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_TOKEN = re.compile(
    rf"""
      (?P<space>\s+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|{_UCHAR})*>)
    | (?P<string>'''(?:'{{0,2}}(?:[^'\\]|\\.))*'''
               | \"\"\"(?:"{{0,2}}(?:[^"\\]|\\.))*\"\"\"
               | '(?:[^'\\\r\n]|\\.)*'
               | "(?:[^"\\\r\n]|\\.)*")
    | (?P<var>[?$][{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*)
    | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
    | (?P<pname>(?:{_PREFIX})?:(?:{_LOCAL})?)
    | (?P<blank>_:[{_U}0-9](?:[{_CHARS}.]*[{_CHARS}])?)
    | (?P<word>[{_BASE}][{_BASE}0-9_]*)
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
#: Functions whose value changes from one run to the next: such answers are never cached.
_VOLATILE = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\\]*")


class ServiceRefused(KgtoolError):
    """A `SERVICE` call to an IRI that is not allow-listed (or not written as a full IRI)."""


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


@dataclass(frozen=True)
class Scan:
    """What the tokenizer found in one SPARQL request."""

    #: `select`, `ask`, `graph` (CONSTRUCT, DESCRIBE), `update`, or `unknown`.
    form: str
    #: The query sets its own dataset with FROM or FROM NAMED.
    has_dataset: bool
    #: The target of each SERVICE keyword: the IRI, or None if it is not written as a full IRI.
    services: tuple[str | None, ...]
    #: Where the word "service" (any case) appears outside keywords: in strings, IRIs, names.
    hidden_services: tuple[int, ...]
    #: It calls NOW(), RAND(), UUID()... or SERVICE, so its answer may differ on each run.
    volatile: bool
    #: A SELECT of one triple pattern whose subject is an IRI and nothing else: an index range
    #: read as long as the subject's edges, which cannot run away.
    lookup: bool = False


def tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL text, white space left out (comments kept, for `scan`)."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "space":
            found.append(Token(kind, match.group(), match.start()))
    return found


@lru_cache(maxsize=4096)
def scan(text: str) -> Scan:
    """Read a SPARQL query or update text (it need not be valid: nothing is parsed here).

    Kept for the texts last seen: clients send the same queries again and again."""
    found = [token for token in tokens(text) if token.kind != "comment"]
    words = [(i, token.text.upper()) for i, token in enumerate(found) if token.kind == "word"]
    form = "unknown"
    for _, word in words:
        if word in ("BASE", "PREFIX"):
            continue
        if word in _QUERY_FORMS:
            form = "ask" if word == "ASK" else "select" if word == "SELECT" else "graph"
        elif word in _UPDATE_FORMS:
            form = "update"
        break
    services: list[str | None] = []
    for i, word in words:
        if word != "SERVICE":
            continue
        target = found[i + 1 : i + 3]
        if target and target[0].kind == "word" and target[0].text.upper() == "SILENT":
            target = target[1:]
        iri = target[0].text[1:-1] if target and target[0].kind == "iri" else None
        services.append(iri if iri is not None and _ABSOLUTE.fullmatch(iri) else None)
    keyword_positions = {found[i].start for i, word in words if word == "SERVICE"}
    hidden = tuple(
        match.start()
        for match in re.finditer("service", text, re.IGNORECASE)
        if match.start() not in keyword_positions
    )
    names = {word for _, word in words}
    return Scan(
        form=form,
        has_dataset="FROM" in names,
        services=tuple(services),
        hidden_services=hidden,
        volatile=bool(services) or not names.isdisjoint(_VOLATILE),
        lookup=_is_lookup(found),
    )


def _is_lookup(code: list[Token]) -> bool:
    """`[PREFIX p: <iri>]* SELECT [DISTINCT] (?v+ | *) [WHERE] { S P O [.] } [LIMIT n]` with S an
    IRI: the only form `scan` calls a lookup. Anything else (paths, filters, a second pattern,
    BASE, a relative IRI) is not one."""
    at = 0

    def next_is(kind: str, *texts: str) -> bool:
        nonlocal at
        if (
            at < len(code)
            and code[at].kind == kind
            and (not texts or code[at].text.upper() in texts)
        ):
            at += 1
            return True
        return False

    while next_is("word", "PREFIX"):
        if not (next_is("pname") and code[at - 1].text.endswith(":") and next_is("iri")):
            return False
    if not next_is("word", "SELECT"):
        return False
    next_is("word", "DISTINCT", "REDUCED")
    if not next_is("other", "*"):
        if not next_is("var"):
            return False
        while next_is("var"):
            pass
    next_is("word", "WHERE")
    if not (
        next_is("other", "{") and next_is("iri") and _ABSOLUTE.fullmatch(code[at - 1].text[1:-1])
    ):
        return False
    if not (next_is("iri") or next_is("pname") or next_is("var") or next_is("word", "A")):
        return False
    if not (next_is("var") or next_is("iri") or next_is("pname")):
        if not next_is("string"):
            return False
        next_is("lang")
    next_is("other", ".")
    if not next_is("other", "}"):
        return False
    if next_is("word", "LIMIT"):
        digits = 0
        while next_is("other", *"0123456789"):
            digits += 1
        if not digits:
            return False
    return at == len(code)


def check_services(found: Scan, allowed: frozenset[str]) -> None:
    """Raise `ServiceRefused` unless every SERVICE call goes to an allow-listed IRI."""
    for iri in found.services:
        if iri is None:
            raise ServiceRefused(
                "SERVICE is refused: its endpoint must be written as a full IRI <http://…> "
                "that the server allows (a variable or prefixed name cannot be checked)"
            )
        if iri not in allowed:
            listed = ", ".join(f"<{a}>" for a in sorted(allowed)) or "none"
            raise ServiceRefused(
                f"SERVICE <{iri}> is refused: this endpoint calls only the services it was "
                f"started with (--allow-service; allowed: {listed})"
            )


def defused(text: str, found: Scan) -> str:
    """The text with every non-keyword "service" changed to "servicx", and every SERVICE
    keyword's endpoint to an IRI no client can reach: a text with the same tokens as `text`,
    if the tokenizer read it right, that makes no network call when run.

    The worker runs it on an empty store: if it fails to parse, some "service" the tokenizer
    took for part of a string or name was a keyword after all, and the query is refused.
    """
    chars = list(text)
    for start in found.hidden_services:
        chars[start + 6] = "x" if text[start + 6].islower() else "X"
    out = "".join(chars)
    code = [token for token in tokens(out) if token.kind != "comment"]
    for i in reversed(range(len(code))):
        if code[i].kind == "iri" and _after_service(code, i):
            start, end = code[i].start, code[i].start + len(code[i].text)
            out = f"{out[:start]}<urn:kgtool:defused>{out[end:]}"
    return out


def _after_service(code: list[Token], i: int) -> bool:
    """Whether token `i` is the endpoint of a SERVICE (or SERVICE SILENT) keyword."""
    before = [
        token.text.upper() if token.kind == "word" else "" for token in code[max(0, i - 2) : i]
    ]
    return before[-1:] == ["SERVICE"] or before == ["SERVICE", "SILENT"]
