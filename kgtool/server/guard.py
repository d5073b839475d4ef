"""What a SPARQL request is, found by tokenizing it the way the SPARQL grammar does.

pyoxigraph cannot hand out a query's algebra, so the endpoint reads the text with a tokenizer
that follows the SPARQL 1.1 lexical grammar (IRIs, prefixed names with their escapes,
variables, language tags, numbers, the four kinds of string, comments). A keyword is only
ever a bare word outside all of those, so `SERVICE` in a string, a comment, an IRI or a
variable is no keyword, while `service`, `Service` and `SERVICE` after a comment or a line
break are.

`Scan` gives the query form (to choose a result format before running anything), whether the
query names its own dataset (`FROM`), the endpoints its `SERVICE` calls and the documents its
`LOAD`s would fetch, whether its answer may be cached, whether it is a lookup, and how deeply
it nests. `check_network` refuses any `SERVICE` or `LOAD` not allow-listed; `check_depth`
refuses a request nested deeper than the engine can evaluate without overflowing its stack.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass
from typing import NamedTuple

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
_EXPONENT = r"[eE][+-]?[0-9]+"

# White space before a token is part of its match (a match per token, not per gap).
_TOKEN = re.compile(
    rf"""
    \s*(?:
      (?P<comment>\#[^\r\n]*)
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
    | (?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.[0-9]+{_EXPONENT}|[0-9]+{_EXPONENT}
               |[0-9]*\.[0-9]+|[0-9]+)
    | (?P<other>\S)
    )""",
    re.VERBOSE | re.DOTALL,
)

_QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
_UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
#: Functions whose value changes from one run to the next: such answers are never cached.
_VOLATILE = frozenset({"NOW", "RAND", "UUID", "STRUUID", "BNODE"})
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\\]*")
#: The keywords that make the engine open a connection: the endpoint of a SERVICE, the
#: document of a LOAD.
_NETWORK = ("SERVICE", "LOAD")

#: The deepest request the query processes take (see `Scan.depth`). The engine evaluates a
#: query recursively; each level costs at most about 30 KB of stack, and a query process runs
#: queries on a 256 MiB stack (`kgtool.server.worker.STACK`), so this leaves a margin of
#: four or more. No query a person writes comes near it.
MAX_DEPTH = 2000
#: Keywords that each add a level to the algebra the engine builds (a join, a left join, a
#: union, an extension, a filter, a subquery...) when they follow one another.
_LEVEL_WORDS = frozenset(
    {"UNION", "OPTIONAL", "MINUS", "BIND", "FILTER", "EXISTS", "GRAPH", "SERVICE", "SELECT"}
)
#: Operators that nest when chained: `a || b || c` is `(a || b) || c`; paths too.
_OPERATORS = frozenset("|/^!&+-*")
#: Separators of triple patterns, which the engine joins one by one.
_SEPARATORS = frozenset(".;,")
#: Keywords after which the next `{ ... }` holds data or a template, which is flat.
_DATA_WORDS = frozenset({"VALUES", "DATA", "CONSTRUCT", "INSERT", "DELETE"})
_CLOSERS = {"}": "{", ")": "(", "]": "["}

#: A short text: the server process scans it (within a millisecond or two). A longer text is
#: scanned only by the query process that runs it.
SHORT_TEXT = 2048
#: The scans of texts up to `KEPT_TEXT` characters are kept, up to `_KEPT_CHARS` characters of
#: text in all: clients send the same queries again and again, and scanning one of the named
#: queries (3-5 KB) costs 1-2 ms, as much as running it on the article's graph.
KEPT_TEXT = 64 << 10
_KEPT_CHARS = 8 << 20


class ServiceRefused(KgtoolError):
    """A `SERVICE` or `LOAD` of an IRI that is not allow-listed (or not written as a full IRI)."""


class TooDeep(KgtoolError):
    """A request nested deeper than `MAX_DEPTH`."""


class DatasetConflict(KgtoolError):
    """An update with its own WITH or USING, sent with the protocol's using-graph-uri too."""


class Token(NamedTuple):
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
    #: Where the words "service" and "load" (any case) appear outside keywords, in strings,
    #: IRIs or names: the offset of each one's last letter (see `defused`).
    hidden_keywords: tuple[int, ...]
    #: It calls NOW(), RAND(), UUID()... or SERVICE, so its answer may differ on each run.
    volatile: bool
    #: A SELECT of one triple pattern whose subject is an IRI and nothing else: an index range
    #: read as long as the subject's edges, which cannot run away.
    lookup: bool = False
    #: The document each LOAD would fetch (None if not written as a full IRI).
    loads: tuple[str | None, ...] = ()
    #: How deep the engine's algebra may nest: every bracket adds a level, and within a
    #: bracket each UNION, OPTIONAL, MINUS, BIND, FILTER, EXISTS, GRAPH, SERVICE, subquery,
    #: chained operator and triple-pattern separator adds one more (data blocks and
    #: templates, which are flat, add nothing). An upper bound of the real depth.
    depth: int = 0


def tokens(text: str) -> list[Token]:
    """The tokens of a SPARQL text, white space left out (comments kept, for `scan`)."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        if kind is not None:
            found.append(Token(kind, match.group(kind), match.start(kind)))
    return found


_kept: OrderedDict[str, Scan] = OrderedDict()
_kept_chars = 0


def scan(text: str) -> Scan:
    """Read a SPARQL query or update text (it need not be valid: nothing is parsed here).

    The scans are kept (see `_KEPT_CHARS`); the cost is linear in the text's length."""
    global _kept_chars
    kept = _kept.get(text)
    if kept is not None:
        _kept.move_to_end(text)
        return kept
    found = _scan(text)
    if len(text) <= KEPT_TEXT:
        _kept[text] = found
        _kept_chars += len(text)
        while _kept_chars > _KEPT_CHARS:
            _kept_chars -= len(_kept.popitem(last=False)[0])
    return found


def _scan(text: str) -> Scan:
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
    targets: dict[str, list[str | None]] = {keyword: [] for keyword in _NETWORK}
    for i, word in words:
        if word not in targets:
            continue
        target = found[i + 1 : i + 3]
        if target and target[0].kind == "word" and target[0].text.upper() == "SILENT":
            target = target[1:]
        iri = target[0].text[1:-1] if target and target[0].kind == "iri" else None
        targets[word].append(iri if iri is not None and _ABSOLUTE.fullmatch(iri) else None)
    keyword_positions = {found[i].start for i, word in words if word in _NETWORK}
    hidden = tuple(
        match.end() - 1
        for match in re.finditer("service|load", text, re.IGNORECASE)
        if match.start() not in keyword_positions
    )
    names = {word for _, word in words}
    services = tuple(targets["SERVICE"])
    return Scan(
        form=form,
        has_dataset="FROM" in names,
        services=services,
        hidden_keywords=hidden,
        volatile=bool(services) or not names.isdisjoint(_VOLATILE),
        lookup=_is_lookup(found),
        loads=tuple(targets["LOAD"]),
        depth=_depth(found),
    )


def _depth(code: list[Token]) -> int:
    """The nesting bound described at `Scan.depth`, in one pass."""
    # One frame per open bracket: its kind, whether it holds data, and the levels its
    # sequence has added so far; `total` is the sum of those levels over the open frames.
    frames: list[tuple[str, bool, int]] = []
    total = deepest = 0
    data_next = False
    for token in code:
        text = token.text
        if token.kind == "word":
            word = text.upper()
            if word == "WHERE":
                data_next = False  # CONSTRUCT WHERE, DELETE WHERE: a pattern after all
            elif word in _DATA_WORDS:
                data_next = True
            if word not in _LEVEL_WORDS:
                continue
        elif token.kind != "other":
            continue
        elif text in "{([":
            data = bool(frames and frames[-1][1]) or (data_next and text == "{")
            data_next = data_next and text != "{"
            frames.append((text, data, 0))
            deepest = max(deepest, len(frames) + total)
            continue
        elif text in _CLOSERS:
            if frames and frames[-1][0] == _CLOSERS[text]:
                total -= frames.pop()[2]
            continue
        elif not (text in _OPERATORS or (text in _SEPARATORS and frames and frames[-1][0] == "{")):
            continue  # a separator between arguments or list items: flat
        if frames and frames[-1][1]:
            continue
        if frames:
            kind, data, levels = frames[-1]
            frames[-1] = (kind, data, levels + 1)
        total += 1
        deepest = max(deepest, len(frames) + total)
    return deepest


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
    if not (next_is("var") or next_is("iri") or next_is("pname") or next_is("number")):
        if not next_is("string"):
            return False
        next_is("lang")
    next_is("other", ".")
    if not next_is("other", "}"):
        return False
    if next_is("word", "LIMIT") and not next_is("number"):
        return False
    return at == len(code)


def check_network(found: Scan, allowed: frozenset[str]) -> None:
    """Raise `ServiceRefused` unless every SERVICE call and every LOAD goes to an
    allow-listed IRI (`--allow-service`, one list for both)."""
    for keyword, targets in (("SERVICE", found.services), ("LOAD", found.loads)):
        for iri in targets:
            if iri is None:
                raise ServiceRefused(
                    f"{keyword} is refused: its IRI must be written as a full IRI <http://…> "
                    "that the server allows (a variable or prefixed name cannot be checked)"
                )
            if iri not in allowed:
                listed = ", ".join(f"<{a}>" for a in sorted(allowed)) or "none"
                raise ServiceRefused(
                    f"{keyword} <{iri}> is refused: this endpoint reaches only the IRIs it was "
                    f"started with (--allow-service; allowed: {listed})"
                )


def check_depth(found: Scan) -> None:
    """Raise `TooDeep` for a request nested deeper than `MAX_DEPTH` (see `Scan.depth`)."""
    if found.depth > MAX_DEPTH:
        raise TooDeep(
            f"the request nests {found.depth} levels deep; this endpoint takes at most "
            f"{MAX_DEPTH} (each bracket counts, and so does each UNION, OPTIONAL, MINUS, "
            "BIND, FILTER, subquery, chained operator or triple pattern in a sequence)"
        )


def defused(text: str, found: Scan) -> str:
    """The text with every non-keyword "service" and "load" changed to "servicx" and "loax",
    and the IRI after every SERVICE and LOAD keyword changed to one no client can reach: a
    text with the same tokens as `text`, if the tokenizer read it right, that opens no
    connection when run.

    The worker runs it on an empty store: if it fails to parse, some "service" or "load" the
    tokenizer took for part of a string or name was a keyword after all, and the request is
    refused.
    """
    chars = list(text)
    for last in found.hidden_keywords:
        chars[last] = "x" if text[last].islower() else "X"
    out = "".join(chars)
    code = [token for token in tokens(out) if token.kind != "comment"]
    for i in reversed(range(len(code))):
        if code[i].kind == "iri" and _after_network_keyword(code, i):
            start, end = code[i].start, code[i].start + len(code[i].text)
            out = f"{out[:start]}<urn:kgtool:defused>{out[end:]}"
    return out


def _after_network_keyword(code: list[Token], i: int) -> bool:
    """Whether token `i` is the IRI of a SERVICE or LOAD keyword (SILENT or not)."""
    before = [
        token.text.upper() if token.kind == "word" else "" for token in code[max(0, i - 2) : i]
    ]
    if before and before[-1] in _NETWORK:
        return True
    return len(before) == 2 and before[0] in _NETWORK and before[1] == "SILENT"


def with_dataset(text: str, using: tuple[str, ...], using_named: tuple[str, ...]) -> str:
    """An update with the protocol's `using-graph-uri` / `using-named-graph-uri` written into
    each operation that has a WHERE clause, as USING and USING NAMED clauses (SPARQL 1.1
    Protocol 2.2.3); `DELETE WHERE { P }` becomes the `DELETE { P } WHERE { P }` it abbreviates.

    Raises `DatasetConflict` if the update names its own dataset (WITH, USING), which the
    protocol forbids together with the parameters.
    """
    clauses = " ".join(
        [f"USING <{iri}>" for iri in using] + [f"USING NAMED <{iri}>" for iri in using_named]
    )
    code = [token for token in tokens(text) if token.kind != "comment"]
    edits: list[tuple[int, int, str]] = []
    depth = 0
    for i, token in enumerate(code):
        if token.kind == "other" and token.text == "{":
            depth += 1
        elif token.kind == "other" and token.text == "}":
            depth -= 1
        elif token.kind == "word" and depth == 0:
            word = token.text.upper()
            if word in ("WITH", "USING"):
                raise DatasetConflict(
                    f"the update has its own {word} clause: it cannot be given "
                    "using-graph-uri or using-named-graph-uri as well"
                )
            if word != "WHERE":
                continue
            previous = code[i - 1] if i else None
            if previous is not None and previous.text.upper() == "DELETE":
                end = _group_end(code, i + 1)
                pattern = text[code[i + 1].start : end] if end else ""
                edits.append((token.start, token.start, f"{pattern} {clauses} "))
            else:
                edits.append((token.start, token.start, f"{clauses} "))
    for start, end, insert in reversed(edits):
        text = text[:start] + insert + text[end:]
    return text


@dataclass(frozen=True)
class Load:
    """One `LOAD [SILENT] <document> [INTO GRAPH <graph>]` operation of an update."""

    start: int
    end: int
    document: str
    silent: bool
    graph: str | None


def load_operations(text: str) -> list[Load]:
    """The LOAD operations of an update text, with where each is written."""
    code = [token for token in tokens(text) if token.kind != "comment"]
    found = []
    for i, token in enumerate(code):
        if token.kind != "word" or token.text.upper() != "LOAD":
            continue
        at = i + 1
        silent = at < len(code) and code[at].text.upper() == "SILENT"
        at += silent
        if at >= len(code) or code[at].kind != "iri":
            continue  # not a LOAD the parser would take: it will say why
        document, end = code[at].text[1:-1], code[at].start + len(code[at].text)
        graph = None
        into = [t.text.upper() for t in code[at + 1 : at + 3]]
        if into == ["INTO", "GRAPH"] and at + 3 < len(code) and code[at + 3].kind == "iri":
            graph = code[at + 3].text[1:-1]
            end = code[at + 3].start + len(code[at + 3].text)
        found.append(Load(token.start, end, document, silent, graph))
    return found


def _group_end(code: list[Token], at: int) -> int | None:
    """The offset just after the `{ ... }` group opening at token `at`, if there is one."""
    if at >= len(code) or code[at].text != "{":
        return None
    depth = 0
    for token in code[at:]:
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
            if depth == 0:
                return token.start + 1
    return None
