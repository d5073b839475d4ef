"""Query results and their standard serialisations (SPARQL 1.1 JSON, CSV, TSV; Turtle, N-Triples).

A `QueryResult` holds `kgtool.terms` values only, so every engine (the local store, a remote
endpoint) fills the same structure and every output format is written by one piece of code.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from kgtool.namespaces import PREFIXES, XSD
from kgtool.terms import IRI, BlankNode, Literal, Term

#: Turtle's abbreviated forms for numbers and booleans, which the TSV format allows.
_SHORT_FORMS = {
    XSD.integer: re.compile(r"[+-]?\d+"),
    XSD.decimal: re.compile(r"[+-]?\d*\.\d+"),
    XSD.double: re.compile(r"[+-]?(\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+)"),
    XSD.boolean: re.compile(r"true|false"),
}
_CSV_SPECIAL = re.compile(r'[",\r\n]')

#: Graph serialisation formats, by the names users give them.
GRAPH_FORMATS = {"turtle": "turtle", "ttl": "turtle", "nt": "nt", "ntriples": "nt"}


class Row(Mapping[str, Term | None]):
    """One solution: variable name → term, `None` where the variable is unbound."""

    __slots__ = ("_index", "_values")

    def __init__(self, index: Mapping[str, int], values: Sequence[Term | None]) -> None:
        self._index = index
        self._values = tuple(values)

    def __getitem__(self, variable: str) -> Term | None:
        return self._values[self._index[variable]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)

    def value(self, variable: str) -> Any:
        """The Python value of a variable: `Literal.value` for literals, the term otherwise."""
        term = self[variable]
        return term.value if isinstance(term, Literal) else term

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={term.n3()}" for name, term in self.items() if term is not None)
        return f"Row({shown})"


class QueryResult:
    """What a query returned: rows (SELECT), a boolean (ASK) or triples (CONSTRUCT, DESCRIBE).

    Iterating gives the rows; `to_json`, `to_csv` and `to_tsv` write the SPARQL 1.1 results
    formats, `serialize` writes a graph result as Turtle or N-Triples.
    """

    def __init__(
        self,
        *,
        variables: Sequence[str] = (),
        rows: Sequence[Sequence[Term | None]] = (),
        boolean: bool | None = None,
        triples: Sequence[tuple[Term, IRI, Term]] | None = None,
    ) -> None:
        self.variables = tuple(variables)
        index = {name: position for position, name in enumerate(self.variables)}
        self.rows = [Row(index, values) for values in rows]
        self.boolean = boolean
        self.triples = list(triples) if triples is not None else None

    @property
    def kind(self) -> str:
        """`select`, `ask` or `graph`."""
        if self.boolean is not None:
            return "ask"
        return "graph" if self.triples is not None else "select"

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows) if self.triples is None else len(self.triples)

    def __repr__(self) -> str:
        if self.kind == "ask":
            return f"QueryResult(boolean={self.boolean})"
        return f"QueryResult({self.kind}, {len(self)} results)"

    def _require(self, kind: str, what: str) -> None:
        if self.kind != kind:
            raise TypeError(f"a {self.kind.upper()} result has no {what}")

    def to_json(self) -> dict[str, Any]:
        """The SPARQL 1.1 Query Results JSON document, as a dict ready for `json.dumps`."""
        if self.kind == "ask":
            return {"head": {}, "boolean": self.boolean}
        self._require("select", "SPARQL JSON form")
        bindings = [
            {name: term.to_json() for name, term in row.items() if term is not None}
            for row in self.rows
        ]
        return {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}

    def to_csv(self) -> str:
        """The SPARQL 1.1 CSV results: lexical forms only, CRLF line ends, RFC 4180 quoting."""
        self._require("select", "CSV form")
        lines = [",".join(_csv_field(name) for name in self.variables)]
        lines += [",".join(_csv_field(_csv_value(term)) for term in row.values()) for row in self]
        return "".join(line + "\r\n" for line in lines)

    def to_tsv(self) -> str:
        """The SPARQL 1.1 TSV results: terms in Turtle syntax, `?name` header, LF line ends."""
        self._require("select", "TSV form")
        lines = ["\t".join(f"?{name}" for name in self.variables)]
        lines += ["\t".join(_tsv_value(term) for term in row.values()) for row in self]
        return "".join(line + "\n" for line in lines)

    def serialize(self, format: str = "turtle") -> str:
        """A CONSTRUCT or DESCRIBE result as Turtle (`turtle`) or N-Triples (`nt`)."""
        self._require("graph", "RDF serialisation")
        assert self.triples is not None
        if format not in GRAPH_FORMATS:
            raise ValueError(
                f"unknown graph format {format!r}: use one of {', '.join(GRAPH_FORMATS)}"
            )
        ntriples = "".join(f"{s.n3()} {p.n3()} {o.n3()} .\n" for s, p, o in self.triples)
        if GRAPH_FORMATS[format] == "nt":
            return ntriples
        used = {
            prefix: namespace
            for prefix, namespace in PREFIXES.items()
            if any(str(term).startswith(namespace) for triple in self.triples for term in triple)
        }
        quads = ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)
        turtle = ox.serialize(
            (quad.triple for quad in quads), format=ox.RdfFormat.TURTLE, prefixes=used
        )
        return bytes(turtle or b"").decode("utf-8")


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return term.n3() if isinstance(term, BlankNode) else str(term)


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"' if _CSV_SPECIAL.search(text) else text


def _tsv_value(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, Literal):
        short = _SHORT_FORMS.get(term.datatype)
        if short is not None and short.fullmatch(term.lexical):
            return term.lexical
    return term.n3()
