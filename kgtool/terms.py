"""RDF terms as kgtool hands them out, whatever engine produced them.

A local pyoxigraph store and a remote SPARQL endpoint both give back these types, so code
written against one works against the other. `IRI` and `BlankNode` are `str` subclasses;
`Literal` keeps its lexical form and converts to a Python value on demand.
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeAlias

import pyoxigraph as ox

from kgtool.namespaces import PREFIXES, RDF, XSD

_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


class IRI(str):
    """An IRI, e.g. `https://w3id.org/kgtool/id/DeepSeek`."""

    __slots__ = ()

    @classmethod
    def checked(cls, text: str) -> IRI:
        """The IRI `text`, after checking it is a valid absolute IRI (raises `ValueError`)."""
        return cls(ox.NamedNode(text).value)

    def n3(self) -> str:
        """The IRI in SPARQL, Turtle and N-Triples syntax: `<...>`."""
        return f"<{self}>"

    def compact(self, prefixes: dict[str, str] = PREFIXES) -> str:
        """`kgd:DeepSeek` for a known namespace, else `<...>`: for people to read."""
        for prefix, namespace in prefixes.items():
            if self.startswith(namespace):
                local = self[len(namespace) :]
                if local and all(c.isalnum() or c in "-_." for c in local):
                    return f"{prefix}:{local}"
        return self.n3()

    def to_json(self) -> dict[str, str]:
        """The term as in the SPARQL 1.1 JSON results format."""
        return {"type": "uri", "value": str(self)}


class BlankNode(str):
    """A blank node, by its label (valid only within one result)."""

    __slots__ = ()

    def n3(self) -> str:
        return f"_:{self}"

    def compact(self, prefixes: dict[str, str] = PREFIXES) -> str:
        return self.n3()

    def to_json(self) -> dict[str, str]:
        return {"type": "bnode", "value": str(self)}


class Literal:
    """A literal: lexical form, datatype IRI and language tag; `.value` is the Python value."""

    __slots__ = ("datatype", "lang", "lexical")

    def __init__(self, lexical: str, datatype: str | None = None, lang: str | None = None) -> None:
        self.lexical = lexical
        self.lang = lang.lower() if lang else None
        self.datatype = _LANG_STRING if self.lang else _datatype(datatype or XSD.string)

    @classmethod
    def of(cls, value: object) -> Literal:
        """The literal for a Python bool, int, float, Decimal, date, datetime or str."""
        if isinstance(value, bool):
            return cls("true" if value else "false", XSD.boolean)
        if isinstance(value, int):
            return cls(str(value), XSD.integer)
        if isinstance(value, float):
            return cls(repr(value), XSD.double)
        if isinstance(value, Decimal):
            return cls(str(value), XSD.decimal)
        if isinstance(value, datetime.datetime):
            return cls(value.isoformat(), XSD.dateTime)
        if isinstance(value, datetime.date):
            return cls(value.isoformat(), XSD.date)
        if isinstance(value, str):
            return cls(value)
        raise TypeError(f"no literal form for {type(value).__name__}")

    @property
    def value(self) -> Any:
        """The Python value: `int`, `Decimal`, `float`, `bool`, `date`, `datetime` or `str`.

        A lexical form that is not valid for its datatype comes back as the `str` it is.
        """
        converter = int if self.datatype in XSD.INTEGERS else _CONVERTERS.get(self.datatype)
        if converter is None:
            return self.lexical
        try:
            return converter(self.lexical)
        except (ValueError, InvalidOperation):
            return self.lexical

    def n3(self) -> str:
        """The literal in SPARQL, Turtle and N-Triples syntax, escaped."""
        quoted = '"' + self.lexical.translate(_ESCAPES) + '"'
        if self.lang:
            return f"{quoted}@{self.lang}"
        if self.datatype == XSD.string:
            return quoted
        return f"{quoted}^^<{self.datatype}>"

    def compact(self, prefixes: dict[str, str] = PREFIXES) -> str:
        return self.lexical

    def to_json(self) -> dict[str, str]:
        term = {"type": "literal", "value": self.lexical}
        if self.lang:
            term["xml:lang"] = self.lang
        elif self.datatype != XSD.string:
            term["datatype"] = str(self.datatype)
        return term

    def __str__(self) -> str:
        return self.lexical

    def __repr__(self) -> str:
        return f"Literal({self.n3()})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Literal):
            return NotImplemented
        return (self.lexical, self.datatype, self.lang) == (
            other.lexical,
            other.datatype,
            other.lang,
        )

    def __hash__(self) -> int:
        return hash((self.lexical, self.datatype, self.lang))


_LANG_STRING = IRI(RDF.langString)
#: Datatype IRIs made once each: a large result repeats a handful of them on every row.
_DATATYPES: dict[str, IRI] = {}
_MAX_DATATYPES = 1024


def _datatype(iri: str) -> IRI:
    datatype = _DATATYPES.get(iri)
    if datatype is None:
        datatype = IRI(iri)
        if len(_DATATYPES) < _MAX_DATATYPES:
            _DATATYPES[iri] = datatype
    return datatype


def _boolean(text: str) -> bool:
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise ValueError(text)


_CONVERTERS: dict[str, Any] = {
    XSD.boolean: _boolean,
    XSD.decimal: Decimal,
    XSD.double: float,
    XSD.float: float,
    XSD.date: datetime.date.fromisoformat,
    XSD.dateTime: datetime.datetime.fromisoformat,
    XSD.string: str,
    RDF.langString: str,
}

Term: TypeAlias = IRI | BlankNode | Literal


def from_json(term: dict[str, str]) -> Term:
    """The term of one binding in the SPARQL 1.1 JSON results format."""
    kind, value = term["type"], term["value"]
    if kind == "uri":
        return IRI(value)
    if kind == "bnode":
        return BlankNode(value)
    if kind in ("literal", "typed-literal"):
        return Literal(value, term.get("datatype"), term.get("xml:lang"))
    raise ValueError(f"unknown term type {kind!r} in SPARQL JSON results")


def from_oxigraph(node: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> Term:
    """A pyoxigraph term as a kgtool term."""
    if isinstance(node, ox.NamedNode):
        return IRI(node.value)
    if isinstance(node, ox.Literal):
        # a language-tagged literal's datatype is always rdf:langString: not fetched
        language = node.language
        return Literal(node.value, None if language else node.datatype.value, language)
    if isinstance(node, ox.BlankNode):
        return BlankNode(node.value)
    raise TypeError(f"RDF-star triple terms are not supported: {node}")
