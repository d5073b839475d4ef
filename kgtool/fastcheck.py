"""SHACL validation as SPARQL queries on the engine itself: for graphs too big for pySHACL.

pySHACL copies the whole graph into rdflib and checks focus node by focus node in Python; on
a million triples that takes far longer than is practical. Here each constraint of the shapes
becomes one SPARQL SELECT that returns the focus nodes (and values) that break it, run where
the graph already is: the embedded pyoxigraph store, or a remote store through
`KnowledgeGraph.remote`. `validate(kg, focus=...)` checks only the given focus nodes, for
validating what an edit changed.

    >>> from kgtool import fastcheck
    >>> report = fastcheck.validate(KnowledgeGraph.load(extra=["big.nt"]))
    >>> report.conforms

The report is the `ValidationReport` that `KnowledgeGraph.validate()` gives, and for the SHACL
Core components the shapes use it finds the same violations as pySHACL (tested on small
graphs). The article's graph keeps full pySHACL validation (`kgtool validate`); a shapes file
using a component compiled here (`COMPONENTS`) raises `ValidationError` naming it, never
silently passes.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kgtool import resources
from kgtool.catalog import NamedQuery
from kgtool.errors import ValidationError
from kgtool.namespaces import RDF, SH
from kgtool.resources import Source
from kgtool.results import QueryResult
from kgtool.store import parse
from kgtool.terms import IRI, Term, from_oxigraph
from kgtool.validation import ValidationReport, ValidationResult, summary

if TYPE_CHECKING:
    from kgtool.graph import KnowledgeGraph

PathLike = str | Path
#: A term of the shapes graph.
Node = ox.NamedNode | ox.BlankNode | ox.Literal

_RDFS_SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_XSD_BOOLEAN_TRUE = ox.Literal(
    "true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
)
#: How many focus nodes one query checks when `focus` is given.
FOCUS_BATCH = 400

#: Value-node constraints: SPARQL that is true when ?v breaks the constraint, from its object.
_VALUE_TESTS: dict[str, Callable[[str, Node], str]] = {
    "datatype": lambda v, o: f"(!isLiteral({v}) || DATATYPE({v}) != {o})",
    "pattern": lambda v, o: f"(isBlank({v}) || !REGEX(STR({v}), {o}))",
    "minLength": lambda v, o: f"(isBlank({v}) || STRLEN(STR({v})) < {o})",
    "maxLength": lambda v, o: f"(isBlank({v}) || STRLEN(STR({v})) > {o})",
    "minInclusive": lambda v, o: f"!COALESCE({v} >= {o}, false)",
    "maxInclusive": lambda v, o: f"!COALESCE({v} <= {o}, false)",
    "minExclusive": lambda v, o: f"!COALESCE({v} > {o}, false)",
    "maxExclusive": lambda v, o: f"!COALESCE({v} < {o}, false)",
    "hasValue": lambda v, o: f"!sameTerm({v}, {o})",
}
_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}
#: The SHACL Core components compiled (with sh:sparql constraints and the four target kinds).
COMPONENTS = frozenset(
    {
        *_VALUE_TESTS,
        "class",
        "nodeKind",
        "languageIn",
        "in",
        "minCount",
        "maxCount",
        "uniqueLang",
        "qualifiedValueShape",
        "node",
        "and",
        "or",
        "xone",
        "not",
    }
)
#: Shape properties that are not constraints (read elsewhere, or only documentation).
_NOT_CONSTRAINTS = frozenset(
    {
        "path",
        "message",
        "severity",
        "property",
        "sparql",
        "targetClass",
        "targetNode",
        "targetSubjectsOf",
        "targetObjectsOf",
        "deactivated",
        "name",
        "description",
        "order",
        "group",
        "declare",
        "flags",
        "qualifiedMinCount",
        "qualifiedMaxCount",
        "qualifiedValueShapesDisjoint",
    }
)


@dataclass(frozen=True)
class Check:
    """One compiled constraint: the SPARQL that finds its violations and what to report.

    The query's rows bind ?this (the focus node) and, for value constraints, ?value.
    """

    shape: Term
    path: IRI | None
    component: str
    severity: IRI
    message: str
    sparql: str


class _Shapes:
    """The shapes graph, read with kgtool's own parser, and the compiler over it."""

    def __init__(self, sources: Sequence[Source]) -> None:
        self.store = ox.Store()
        self.store.extend(
            ox.Quad(t.subject, t.predicate, t.object) for s in sources for t in parse(s)
        )
        self._fresh = itertools.count()

    def objects(self, node: Node, name: str) -> list[Node]:
        return self._objects(node, ox.NamedNode(SH.NS + name))

    def _objects(self, node: Node, predicate: ox.NamedNode) -> list[Node]:
        if isinstance(node, ox.Literal):
            return []
        quads = self.store.quads_for_pattern(node, predicate, None)
        return [q.object for q in quads if not isinstance(q.object, ox.Triple)]

    def one(self, node: Node, name: str) -> Node | None:
        found = self.objects(node, name)
        return found[0] if found else None

    def items(self, node: Node) -> list[Node]:
        """The members of an RDF list."""
        first, rest = ox.NamedNode(RDF.NS + "first"), ox.NamedNode(RDF.NS + "rest")
        members: list[Node] = []
        while node != ox.NamedNode(RDF.NS + "nil"):
            members += self._objects(node, first)
            following = self._objects(node, rest)
            if not following:
                break
            node = following[0]
        return members

    def var(self) -> str:
        return f"?fc{next(self._fresh)}"

    # -- what a shape says -----------------------------------------------------------------------

    def node_shapes(self) -> list[Node]:
        """Shapes with targets (others are only reached through sh:node, sh:or and the like)."""
        targets = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
        found: dict[Node, None] = {}
        for name in targets:
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(SH.NS + name), None):
                if not isinstance(quad.subject, ox.Triple):
                    found[quad.subject] = None
        return [shape for shape in found if self.one(shape, "deactivated") != _XSD_BOOLEAN_TRUE]

    def targets(self, shape: Node) -> str:
        """A group pattern binding ?this to each focus node of `shape`, once."""
        parts = [
            f"{{ ?this a/<{_RDFS_SUBCLASS}>* {c} }}" for c in self.objects(shape, "targetClass")
        ]
        parts += [f"{{ VALUES ?this {{ {n} }} }}" for n in self.objects(shape, "targetNode")]
        parts += [f"{{ ?this {p} [] }}" for p in self.objects(shape, "targetSubjectsOf")]
        parts += [f"{{ [] {p} ?this }}" for p in self.objects(shape, "targetObjectsOf")]
        return f"{{ SELECT DISTINCT ?this WHERE {{ {' UNION '.join(parts)} }} }}"

    def path(self, shape: Node) -> tuple[str, IRI]:
        """The SPARQL path of a property shape and the IRI reported as its sh:resultPath."""
        path = self.one(shape, "path")
        if isinstance(path, ox.NamedNode):
            return str(path), IRI(path.value)
        inverse = self.one(path, "inversePath") if path is not None else None
        if isinstance(inverse, ox.NamedNode):
            return f"^{inverse}", IRI(inverse.value)
        raise ValidationError(f"fastcheck: only IRI and inverse paths are supported, not {path}")

    def constraints(self, shape: Node) -> Iterator[tuple[str, Node]]:
        """The constraint components of `shape` with their objects; unknown ones are errors."""
        if isinstance(shape, ox.Literal):
            return
        for quad in self.store.quads_for_pattern(shape, None, None):
            name = quad.predicate.value.removeprefix(SH.NS)
            if not quad.predicate.value.startswith(SH.NS) or name in _NOT_CONSTRAINTS:
                continue
            if name not in COMPONENTS or isinstance(quad.object, ox.Triple):
                raise ValidationError(f"fastcheck: sh:{name} is not supported ({shape})")
            yield name, quad.object

    # -- conformance as a SPARQL expression, for sh:node, sh:or, sh:xone, qualified shapes ---

    def value_test(self, name: str, obj: Node, v: str) -> str:
        """SPARQL true when the node in `v` breaks constraint `name` with object `obj`."""
        if name in _VALUE_TESTS:
            if name == "pattern":
                return _VALUE_TESTS[name](v, ox.Literal(obj.value))
            return _VALUE_TESTS[name](v, obj)
        if name == "class":
            return f"NOT EXISTS {{ {v} a/<{_RDFS_SUBCLASS}>* {obj} }}"
        if name == "nodeKind":
            return "!" + _NODE_KINDS[obj.value.removeprefix(SH.NS)].format(v=v)
        if name == "languageIn":
            tags = " || ".join(f'LANGMATCHES(LANG({v}), "{t.value}")' for t in self.items(obj))
            return f"(!isLiteral({v}) || !({tags or 'false'}))"
        if name == "in":
            return (
                "!("
                + (" || ".join(f"sameTerm({v}, {t})" for t in self.items(obj)) or "false")
                + ")"
            )
        if name == "node":
            return f"!({self.conforms(obj, v)})"
        if name in ("and", "or", "xone", "not"):
            return f"!({self.logic(name, obj, v)})"
        raise ValidationError(f"fastcheck: sh:{name} cannot be nested here")

    def logic(self, name: str, obj: Node, v: str) -> str:
        """SPARQL true when `v` satisfies sh:and / sh:or / sh:xone / sh:not with `obj`."""
        if name == "not":
            return f"!({self.conforms(obj, v)})"
        members = [self.conforms(member, v) for member in self.items(obj)]
        if name == "and":
            return " && ".join(f"({m})" for m in members) or "true"
        if name == "or":
            return " || ".join(f"({m})" for m in members) or "false"
        return "(" + " + ".join(f"IF({m}, 1, 0)" for m in members) + ") = 1"

    def conforms(self, shape: Node, v: str) -> str:
        """SPARQL true when the node in `v` conforms to `shape`."""
        tests: list[str] = []
        if self.one(shape, "path") is not None:
            tests.append(self.property_conforms(shape, v))
        else:
            tests += [f"!({self.value_test(n, o, v)})" for n, o in self.constraints(shape)]
        tests += [self.property_conforms(p, v) for p in self.objects(shape, "property")]
        return " && ".join(f"({t})" for t in tests) or "true"

    def property_conforms(self, shape: Node, v: str) -> str:
        path, _ = self.path(shape)
        tests = []
        for name, obj in self.constraints(shape):
            count = int(obj.value) if name in ("minCount", "maxCount") else 0
            x, y = self.var(), self.var()
            if name == "minCount" and count <= 1:
                tests.append(f"EXISTS {{ {v} {path} {x} }}" if count else "true")
            elif name == "maxCount" and count <= 1:
                other = f" . {v} {path} {y} FILTER({x} != {y})" if count else ""
                tests.append(f"NOT EXISTS {{ {v} {path} {x}{other} }}")
            elif name in ("minCount", "maxCount"):
                raise ValidationError(f"fastcheck: nested sh:{name} {count} is not supported")
            elif name == "qualifiedValueShape":
                tests.append(self.qualified_conforms(shape, path, obj, v, x))
            else:
                test = self.value_test(name, obj, x)
                tests.append(f"NOT EXISTS {{ {v} {path} {x} FILTER({test}) }}")
        return " && ".join(f"({t})" for t in tests) or "true"

    def qualified_conforms(self, shape: Node, path: str, obj: Node, v: str, x: str) -> str:
        """A nested qualified shape: "at least one value conforms" is all an expression can
        say without counting, so other bounds are refused rather than approximated."""
        least, most = self.one(shape, "qualifiedMinCount"), self.one(shape, "qualifiedMaxCount")
        if most is not None or (least is not None and int(least.value) > 1):
            raise ValidationError(
                "fastcheck: a nested sh:qualifiedValueShape supports only sh:qualifiedMinCount 1"
            )
        if least is None or int(least.value) == 0:
            return "true"
        return f"EXISTS {{ {v} {path} {x} FILTER({self.conforms(obj, x)}) }}"

    # -- one check per constraint --------------------------------------------------------------

    def checks(self) -> list[Check]:
        found: list[Check] = []
        for shape in self.node_shapes():
            targets = self.targets(shape)
            found += self.node_checks(shape, targets)
            for prop in self.objects(shape, "property"):
                if self.one(prop, "deactivated") != _XSD_BOOLEAN_TRUE:
                    found += self.property_checks(prop, shape, targets)
        return found

    def _check(self, shape: Node, path: IRI | None, name: str, sparql: str, *owners: Node) -> Check:
        message = next((m.value for o in (shape, *owners) for m in self.objects(o, "message")), "")
        # a SPARQL constraint takes the severity of the shape that holds it
        severity = next(
            (s for o in (shape, *owners) if (s := self.one(o, "severity")) is not None), None
        )
        term = from_oxigraph(shape)
        return Check(
            term,
            path,
            name,
            IRI(severity.value if severity is not None else SH.NS + "Violation"),
            message or f"breaks sh:{name}",
            sparql,
        )

    def node_checks(self, shape: Node, targets: str) -> list[Check]:
        checks = []
        for name, obj in self.constraints(shape):
            test = self.value_test(name, obj, "?this")
            sparql = f"SELECT ?this WHERE {{ {targets} FILTER({test}) }}"
            checks.append(self._check(shape, None, name, sparql))
        for constraint in self.objects(shape, "sparql"):
            checks.append(self.sparql_check(shape, constraint, targets))
        return checks

    def property_checks(self, prop: Node, shape: Node, targets: str) -> list[Check]:
        path, reported = self.path(prop)
        checks = []
        values = f"{targets} ?this {path} ?value ."
        for name, obj in self.constraints(prop):
            if name == "minCount":
                count = int(obj.value)
                missing = f"FILTER NOT EXISTS {{ ?this {path} ?value }}"
                sparql = (
                    f"SELECT ?this WHERE {{ {targets} {missing} }}"
                    if count == 1
                    else f"SELECT ?this WHERE {{ {targets} OPTIONAL {{ ?this {path} ?value }} }} "
                    f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) < {count})"
                )
            elif name == "maxCount":
                sparql = (
                    f"SELECT ?this WHERE {{ {values} }} GROUP BY ?this "
                    f"HAVING (COUNT(DISTINCT ?value) > {int(obj.value)})"
                )
            elif name == "uniqueLang":
                if obj != _XSD_BOOLEAN_TRUE:
                    continue
                sparql = (
                    f"SELECT DISTINCT ?this WHERE {{ {values} ?this {path} ?other . "
                    'FILTER(!sameTerm(?value, ?other) && LANG(?value) != "" '
                    "&& LCASE(LANG(?value)) = LCASE(LANG(?other))) }"
                )
            elif name == "qualifiedValueShape":
                if self.one(prop, "qualifiedValueShapesDisjoint") == _XSD_BOOLEAN_TRUE:
                    raise ValidationError(
                        "fastcheck: sh:qualifiedValueShapesDisjoint is not supported"
                    )
                ok = self.conforms(obj, "?value")
                matching = f"OPTIONAL {{ ?this {path} ?value FILTER({ok}) }}"
                counted = f"SELECT ?this WHERE {{ {targets} {matching} }} GROUP BY ?this HAVING "
                for bound, op, component in (
                    ("qualifiedMinCount", "<", "qualifiedMinCount"),
                    ("qualifiedMaxCount", ">", "qualifiedMaxCount"),
                ):
                    limit = self.one(prop, bound)
                    if limit is not None:
                        sparql = counted + f"(COUNT(DISTINCT ?value) {op} {int(limit.value)})"
                        checks.append(self._check(prop, reported, component, sparql, shape))
                continue
            else:
                test = self.value_test(name, obj, "?value")
                sparql = f"SELECT ?this ?value WHERE {{ {values} FILTER({test}) }}"
            checks.append(self._check(prop, reported, name, sparql, shape))
        return checks

    def sparql_check(self, shape: Node, constraint: Node, targets: str) -> Check:
        select = self.one(constraint, "select")
        if select is None:
            raise ValidationError(f"fastcheck: a SPARQL constraint of {shape} has no sh:select")
        declared = [
            (self.one(d, "prefix"), self.one(d, "namespace"))
            for owner in self.objects(constraint, "prefixes")
            for d in self.objects(owner, "declare")
        ]
        prefixes = "".join(
            f"PREFIX {prefix.value}: <{namespace.value}>\n"
            for prefix, namespace in declared
            if prefix is not None and namespace is not None
        )
        # Joining the constraint's solutions with the targets is pre-binding $this, for
        # queries without MINUS, subqueries or VALUES over $this (as SHACL requires anyway).
        sparql = f"{prefixes}SELECT * WHERE {{ {{ {select.value} }} {targets} }}"
        return self._check(constraint, None, "sparql", sparql, shape)


def compile(shapes: PathLike | Sequence[PathLike] | None = None) -> list[Check]:
    """The checks for the shapes files (the shipped `ontology/shapes.ttl` by default)."""
    if shapes is None:
        sources = [resources.shipped_shapes()]
    else:
        given = [shapes] if isinstance(shapes, str | Path) else list(shapes)
        sources = resources.user_sources(given)
    return _Shapes(sources).checks()


def _focused(check: Check, focus: Sequence[str]) -> str:
    """The check's query restricted to the given focus nodes (a VALUES block first)."""
    values = " ".join(f"<{iri}>" for iri in focus)
    head, _, rest = check.sparql.partition("WHERE { ")
    return f"{head}WHERE {{ VALUES ?this {{ {values} }} {rest}"


def run(
    checks: Sequence[Check],
    execute: Callable[[str, str], QueryResult],
    *,
    focus: Iterable[str] | None = None,
    label: Callable[[Term], str] = lambda term: term.compact(),
) -> ValidationReport:
    """Run `checks` with `execute(sparql, name)` and gather the report."""
    batches: list[list[str]] | None = None
    if focus is not None:
        chosen = list(dict.fromkeys(focus))
        batches = [chosen[i : i + FOCUS_BATCH] for i in range(0, len(chosen), FOCUS_BATCH)]
    results: list[ValidationResult] = []
    for check in checks:
        queries = [check.sparql] if batches is None else [_focused(check, b) for b in batches]
        for sparql in queries:
            for row in execute(sparql, f"shape check sh:{check.component}"):
                focus_node = row["this"]
                if focus_node is None:
                    continue
                value = row.get("value")
                # a SPARQL constraint may name the path it found the value on (?path)
                path = row.get("path") if check.path is None else check.path
                results.append(
                    ValidationResult(
                        focus_node,
                        path if isinstance(path, IRI) else None,
                        check.message,
                        check.severity,
                        check.shape,
                        value,
                    )
                )
    unique = tuple(dict.fromkeys(results))
    # As `KnowledgeGraph.validate` (pySHACL with allow_warnings): warnings alone conform.
    conforms = not any(result.severity_name == "Violation" for result in unique)
    return ValidationReport(conforms, unique, summary(conforms, unique, label))


def _executor(graph: KnowledgeGraph | ox.Store) -> Callable[[str, str], QueryResult]:
    if isinstance(graph, ox.Store):

        def on_store(sparql: str, name: str) -> QueryResult:
            solutions = graph.query(sparql, use_default_graph_as_union=True)
            assert isinstance(solutions, ox.QuerySolutions)
            variables = [v.value for v in solutions.variables]
            rows = [[None if t is None else from_oxigraph(t) for t in s] for s in solutions]
            return QueryResult(variables=variables, rows=rows)

        return on_store
    return lambda sparql, name: graph.query(NamedQuery.text(sparql, name=name), inferred=False)


def validate(
    graph: KnowledgeGraph | ox.Store,
    *,
    shapes: PathLike | Sequence[PathLike] | None = None,
    focus: Iterable[str] | None = None,
) -> ValidationReport:
    """Check `graph` against the SHACL shapes (the shipped ones by default) with SPARQL.

    `graph` is a `KnowledgeGraph` (embedded or remote) or a pyoxigraph `Store` (its default
    graph and named graphs together). With `focus` (IRIs), only those focus nodes are checked.
    """
    label: Callable[[Term], str] = lambda term: term.compact()  # noqa: E731
    if not isinstance(graph, ox.Store):
        label = graph.label
    return run(compile(shapes), _executor(graph), focus=focus, label=label)
