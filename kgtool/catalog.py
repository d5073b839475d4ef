"""The catalogue: every SPARQL text kgtool runs, read from the `.rq` files under `queries/`.

The folder says who reads a query: the research questions at the top (`kgtool queries` and
`/queries` list only these), then `library/` (the library's own look-ups), `pages/` (the
endpoint's pages), `docs/` (the reference pages and pictures), `coverage/`, `service/` (the
service description), `rules/` (the reach rules, derived at every load) and `rules/owl-rl/`
(the optional RDFS / OWL RL inference). Every file has the same header of
comment lines (title, question, parameters with defaults, what a row means), read here, so
every error names the file and line.

A query file is a plain SPARQL query whose parameters have default values in `VALUES` blocks,
so it runs unchanged in any SPARQL client. Binding replaces the content of the one
`VALUES ?name { ... }` block of each parameter with a term written in SPARQL syntax (an IRI
checked for validity, or an escaped literal), never with the user's raw text. The binding is
plain text work, the same for the local store and for a remote endpoint.

An IRI bound to a parameter is also written in place of its variable inside the groups
nested in the query's main group (see `_inline_spots` for when that is safe). The answer is
the same; the plan is not: Oxigraph plans each nested group (a UNION branch, an OPTIONAL)
apart from the `VALUES` block beside it, so a branch that starts from the parameter is
planned as if it were unbound and may read every segment or axiom of the graph; with the
IRI written in, it starts from an index lookup (sources-of at a million triples: 1.1 s to
3 ms). The query file keeps its readable `VALUES` form.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path

from kgtool import resources
from kgtool.errors import ParameterError, QueryError, UnknownQuery
from kgtool.namespaces import PREFIXES, XSD
from kgtool.terms import IRI, Literal, Term

#: The kinds of value a parameter takes.
KINDS = ("entity", "iri", "string", "integer", "date", "boolean")
#: The folders of `queries/`, by who reads them ("": the research questions).
READERS = ("", "library", "pages", "docs", "coverage", "service", "rules", "rules/owl-rl")

_HEADER_KEY = re.compile(r"#\s?(title|question@[A-Za-z-]+|param|row):\s*(.*)")
_PARAM = re.compile(r"(?P<name>[A-Za-z_]\w*)\s+(?P<kind>\w+)\s+(?P<rest>.*)")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"\s*(.*)')
_PREFIX = re.compile(r"PREFIX\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
_VALUES = re.compile(r"VALUES\s+[?$](\w+)\s*\{([^{}]*)\}", re.IGNORECASE)
_IRIREF = re.compile(r'<[^<>"{}|^`\\\x00-\x20]*>')
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
#: Forms under which a variable cannot simply be replaced by its value: a sub-query has its
#: own variables, and MINUS joins on the variable names its two sides share.
_SCOPED = re.compile(r"\{\s*SELECT\b|\bMINUS\b", re.IGNORECASE)
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


@dataclass(frozen=True)
class Param:
    """A declared parameter: its name, kind (one of `KINDS`), default (as written) and meaning."""

    name: str
    kind: str
    default: str | None
    doc: str

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class NamedQuery:
    """A query with the header that documents it: what it asks, its parameters, what a row is."""

    name: str
    source: str
    sparql: str
    title: str = ""
    questions: Mapping[str, str] = field(default_factory=dict)
    params: tuple[Param, ...] = ()
    row: str = ""
    description: str = ""
    #: Where each parameter's VALUES content lies in `sparql` (start, end), by parameter name.
    slots: Mapping[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    #: Where an IRI bound to each parameter is also written in place of its variable.
    spots: Mapping[str, tuple[int, ...]] = field(default_factory=dict, repr=False)

    def question(self, lang: str = "en") -> str:
        """The research question in `lang` (`en`, `zh-Hant`, ...), else in English."""
        return self.questions.get(lang.lower()) or self.questions.get("en", "")

    def param(self, name: str) -> Param:
        for param in self.params:
            if param.name == name:
                return param
        declared = ", ".join(param.name for param in self.params) or "none"
        raise ParameterError(
            f"unknown parameter {name!r} (declared: {declared})", query=self.name, parameter=name
        )

    @property
    def prefixes(self) -> dict[str, str]:
        """The query's own PREFIX declarations, added to kgtool's usual prefixes."""
        return {**PREFIXES, **dict(_PREFIX.findall(_mask(self.sparql)))}

    @property
    def body(self) -> str:
        """The query without its header comment (what a page shows beside the header)."""
        lines = self.sparql.splitlines()
        start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
        return "\n".join(lines[start:]).strip() + "\n"

    @classmethod
    def read(cls, path: str | Path) -> NamedQuery:
        """A user's `.rq` file, named after it; `QueryError` naming it if it cannot be read
        or its header is malformed."""
        return parse(read_query_file(path), name=Path(path).stem, source=str(path))

    @classmethod
    def text(cls, sparql: str, *, name: str = "SPARQL text") -> NamedQuery:
        """SPARQL text given as it is (a header, if it has one, is read like a file's);
        errors name it `name`."""
        return parse(sparql, name=name, source=name)


@dataclass(frozen=True)
class BoundQuery:
    """A named query with its parameters bound: the SPARQL text to run, show or share."""

    query: NamedQuery
    sparql: str
    values: Mapping[str, Term] = field(default_factory=dict)

    @property
    def source(self) -> str:
        """The file the query comes from, as errors name it."""
        return self.query.source

    def __str__(self) -> str:
        return self.sparql


def _mask(text: str) -> str:
    """`text` with comments and the insides of string literals blanked, positions kept.

    So that a `VALUES` or `PREFIX` inside a comment or a string is never taken for syntax.
    """
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "<":
            iri = _IRIREF.match(text, i)
            i = iri.end() if iri else i + 1
        elif char == "#":
            end = text.find("\n", i)
            end = n if end < 0 else end
            out[i:end] = " " * (end - i)
            i = end
        elif char in "'\"":
            quote = char * 3 if text.startswith(char * 3, i) else char
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            out[i + len(quote) : j] = [" " if c != "\n" else c for c in text[i + len(quote) : j]]
            i = j + len(quote)
        else:
            i += 1
    return "".join(out)


def _parse_param(text: str, source: str, line: int) -> Param:
    found = _PARAM.fullmatch(text.strip())
    if not found:
        raise QueryError(
            f"cannot read the parameter line {text!r}: use `# param: NAME KIND DEFAULT  doc`",
            source=source,
            line=line,
        )
    name, kind, rest = found["name"], found["kind"], found["rest"]
    if kind not in KINDS:
        raise QueryError(
            f"parameter {name!r} has unknown kind {kind!r} (kinds: {', '.join(KINDS)})",
            source=source,
            line=line,
        )
    quoted = _QUOTED.fullmatch(rest)
    if quoted:
        default, doc = re.sub(r"\\(.)", r"\1", quoted[1]), quoted[2]
    else:
        default, _, doc = rest.partition(" ")
    return Param(name, kind, None if default == "-" else default, doc.strip())


def parse(text: str, *, name: str, source: str) -> NamedQuery:
    """Read a query file: its header comments, and the VALUES block of each parameter.

    Raises `QueryError` naming `source` when the header is malformed or a declared parameter
    does not have exactly one `VALUES ?name { ... }` block.
    """
    title, row = "", ""
    questions: dict[str, str] = {}
    params: list[Param] = []
    declared_on: dict[str, int] = {}
    description: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        keyed = _HEADER_KEY.fullmatch(stripped)
        if keyed is None:
            description.append(stripped.lstrip("#").strip())
            continue
        key, value = keyed.groups()
        if key == "title":
            title = value.strip()
        elif key == "row":
            row = value.strip()
        elif key == "param":
            params.append(_parse_param(value, source, number))
            declared_on[params[-1].name] = number
        else:
            questions[key.partition("@")[2].lower()] = value.strip()
    slots: dict[str, tuple[int, int]] = {}
    masked = _mask(text)
    for param in params:
        blocks = [block for block in _VALUES.finditer(masked) if block[1] == param.name]
        if len(blocks) != 1:
            raise QueryError(
                f"parameter {param.name!r} needs exactly one `VALUES ?{param.name} {{ ... }}` "
                f"block holding its default, found {len(blocks)}",
                source=source,
                line=declared_on[param.name],
            )
        slots[param.name] = blocks[0].span(2)
    spots = {param.name: _inline_spots(masked, param.name, blocks[0]) for param in params}
    return NamedQuery(
        name=name,
        source=source,
        sparql=text,
        title=title,
        questions=questions,
        params=tuple(params),
        row=row,
        description=" ".join(" ".join(description).split()),
        slots=slots,
        spots=spots,
    )


def _inline_spots(masked: str, name: str, values: re.Match[str]) -> tuple[int, ...]:
    """Where the variable `name` may be replaced by the one IRI its VALUES block holds, with
    the same answer, and where that helps: its uses inside the groups nested in the main
    group (UNION branches, OPTIONAL, EXISTS), which the engine plans apart from the VALUES
    block. In the main group itself the engine joins the VALUES block first; it stays as is.

    The answer stays the same provided the VALUES block opens the main group (so the group
    is joined with it before any OPTIONAL or FILTER sees the variable) and nothing scopes or
    assigns the variable (`_SCOPED`, `AS ?name`, another VALUES row). Else no spot: the
    binding then stays in the VALUES block alone, right but planned less well.
    """
    where = _WHERE.search(masked)
    if where is None or masked[where.end() : values.start()].strip() or _SCOPED.search(masked):
        return ()
    assigned = rf"\bAS\s+[?$]{name}\b|\bVALUES\s*\([^)]*[?$]{name}\b"
    if re.search(assigned, masked, re.IGNORECASE):
        return ()
    # An IRI such as <http://e.org/?name=1> holds no variable.
    plain = _IRIREF.sub(lambda iri: "<" + " " * (len(iri[0]) - 2) + ">", masked)
    spots, depth = [], 1
    for token in re.compile(rf"[{{}}]|[?$]{name}\b").finditer(plain, values.end()):
        if token[0] == "{":
            depth += 1
        elif token[0] == "}":
            depth -= 1
            if depth == 0:
                break
        elif depth > 1:
            spots.append(token.start())
    return tuple(spots)


def bind(query: NamedQuery, values: Mapping[str, Term]) -> str:
    """The query text with each given parameter's VALUES block holding just that term, and
    an IRI also written in place of its variable where `_inline_spots` found that safe.

    Line breaks inside a replaced block are kept, so positions in error messages still match
    the file.
    """
    edits: list[tuple[int, int, str]] = []
    for name, term in values.items():
        start, end = query.slots[name]
        newlines = "\n" * query.sparql.count("\n", start, end)
        edits.append((start, end, f" {term.n3()} {newlines}"))
        if isinstance(term, IRI):
            length = len(name) + 1
            edits.extend((spot, spot + length, term.n3()) for spot in query.spots.get(name, ()))
    text = query.sparql
    for start, end, replacement in sorted(edits, reverse=True):
        text = f"{text[:start]}{replacement}{text[end:]}"
    return text


def coerce(
    query: NamedQuery, given: Mapping[str, object], resolve: Callable[[str], IRI]
) -> dict[str, Term]:
    """Check `given` against the declared parameters and turn each value into an RDF term.

    `resolve` turns the text of an `entity` parameter into the IRI it names (raising
    `UnknownEntity` or `AmbiguousEntity`).
    """
    for name in given:
        query.param(name)
    missing = [param.name for param in query.params if param.required and param.name not in given]
    if missing:
        raise ParameterError(
            f"missing parameter {missing[0]!r}", query=query.name, parameter=missing[0]
        )
    return {name: _term(query, query.param(name), value, resolve) for name, value in given.items()}


def _term(query: NamedQuery, param: Param, value: object, resolve: Callable[[str], IRI]) -> Term:
    def wrong(expected: str) -> ParameterError:
        return ParameterError(
            f"parameter {param.name!r} is {param.kind}: expected {expected}, got {value!r}",
            query=query.name,
            parameter=param.name,
        )

    if param.kind == "entity":
        if not isinstance(value, str):
            raise wrong("a label, prefixed name or IRI")
        return value if isinstance(value, IRI) else resolve(value)
    if param.kind == "iri":
        if not isinstance(value, str):
            raise wrong("an IRI")
        try:
            return expand(value, query.prefixes)
        except ValueError:
            raise wrong("an IRI (<https://…>, https://… or prefix:name)") from None
    if param.kind == "string":
        if not isinstance(value, str):
            raise wrong("a string")
        return Literal(value)
    if param.kind == "integer":
        if isinstance(value, int) and not isinstance(value, bool):
            return Literal.of(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return Literal.of(int(value))
        raise wrong("an integer")
    if param.kind == "date":
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return Literal(value.isoformat(), XSD.date)
        try:
            return Literal(datetime.date.fromisoformat(str(value).strip()).isoformat(), XSD.date)
        except ValueError:
            raise wrong("a date YYYY-MM-DD") from None
    if isinstance(value, bool):
        return Literal.of(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE + _FALSE:
        return Literal.of(value.strip().lower() in _TRUE)
    raise wrong("true or false")


def expand(text: str, prefixes: Mapping[str, str] = PREFIXES) -> IRI:
    """`<iri>`, a bare `scheme:…` IRI or a prefixed name, as a checked IRI (else `ValueError`)."""
    text = text.strip()
    if text.startswith("<") and text.endswith(">"):
        return IRI.checked(text[1:-1])
    prefix, colon, local = text.partition(":")
    if colon and prefix in prefixes and not local.startswith("//"):
        return IRI.checked(prefixes[prefix] + local)
    if colon and re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", prefix):
        return IRI.checked(text)
    raise ValueError(f"not an IRI: {text!r}")


def read_query_file(path: str | Path) -> str:
    """The text of a `.rq` file a user names; `QueryError` naming it if it cannot be read."""
    given = Path(path)
    if given.is_dir():
        raise QueryError("this is a folder, not a query file", source=str(path))
    try:
        return given.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise QueryError("no such query file", source=str(path)) from None
    except UnicodeDecodeError as error:
        raise QueryError(f"not UTF-8 text (byte {error.start})", source=str(path)) from None
    except OSError as error:
        raise QueryError(f"cannot read it: {error.strerror or error}", source=str(path)) from None


class Catalog:
    """The named queries of one folder, parsed when first asked for."""

    def __init__(self, files: Mapping[str, Traversable], *, folder: str) -> None:
        self._files = dict(files)
        self._folder = folder
        self._parsed: dict[str, NamedQuery] = {}

    def names(self) -> list[str]:
        return sorted(self._files)

    def __contains__(self, name: object) -> bool:
        return name in self._files

    def get(self, name: str) -> NamedQuery:
        """The named query `name`; `UnknownQuery` with the closest names if there is none."""
        if name not in self._files:
            raise UnknownQuery(name, difflib.get_close_matches(name, self._files, n=3, cutoff=0.5))
        if name not in self._parsed:
            entry = self._files[name]
            source = f"{self._folder}/{entry.name}"
            self._parsed[name] = parse(entry.read_text(encoding="utf-8"), name=name, source=source)
        return self._parsed[name]

    def all(self) -> list[NamedQuery]:
        """Every query of the folder, in the order of their names."""
        return [self.get(name) for name in self.names()]

    def __iter__(self) -> Iterator[NamedQuery]:
        return iter(self.all())


@cache
def shipped(reader: str = "") -> Catalog:
    """The shipped queries of one reader (a folder of `READERS`; "" the research questions),
    parsed once per process."""
    if reader not in READERS:
        raise ValueError(f"no such folder of queries: {reader!r} (folders: {READERS})")
    folder = "/".join(part for part in ("queries", reader) if part)
    return Catalog(resources.query_files(reader), folder=folder)


def folder(path: str | Path) -> Catalog:
    """The `.rq` files of a user's folder, as a catalogue of named queries."""
    return Catalog(resources.query_folder(path), folder=str(path))
