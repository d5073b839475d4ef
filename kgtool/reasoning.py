"""Reach as a DL reasoner derives it: the graph and its scope classes in owlready2, run through
the HermiT reasoner that owlready2 bundles (a Java program, run as a subprocess).

The query engine derives reach with rules (`queries/rules/`); this is the independent second
opinion a researcher gets in Protégé, from Python. A reasoner reports an individual's most
specific classes, so reach is read from the closure of the inferred types (`INDIRECT_is_a`),
and the containment between scopes from the closure of the inferred super-classes.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kgtool.errors import DataError, ReasoningUnavailable
from kgtool.results import QueryResult
from kgtool.scopes import scope_class
from kgtool.terms import IRI, Literal, Term

JAVA_HINT = (
    "install a Java runtime (`apt-get install openjdk-17-jre-headless` on Debian, or set "
    "JAVA_HOME); scripts/setup.sh does it"
)


@dataclass(frozen=True)
class Classification:
    """What HermiT concluded: which actor each measure could reach, and which scopes contain
    which (`contains` holds (broader, narrower) measure pairs, both ways round when equal)."""

    reach: frozenset[tuple[IRI, IRI]]
    contains: frozenset[tuple[IRI, IRI]]
    individuals: int
    reasoner: str
    seconds: float


def classify(triples: Iterable[ox.Triple], measures: Mapping[IRI, IRI]) -> Classification:
    """Load the triples into owlready2, run HermiT, and read back reach and containment.

    `measures` maps each measure's scope class to the measure. Raises `ReasoningUnavailable`
    when Java is missing and `DataError` when the ontology and data are inconsistent.
    """
    import owlready2

    java = _java(owlready2)
    with tempfile.TemporaryDirectory(prefix="kgtool-reason-") as folder:
        path = Path(folder) / "graph.nt"
        ox.serialize(list(triples), output=path, format=ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        world.get_ontology(path.as_uri()).load(format="ntriples")
        started = time.perf_counter()
        try:
            owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError:
            raise DataError(
                "the ontology and data are inconsistent: HermiT found a contradiction "
                "(open ontology/kgtool-all.ttl in Protégé and ask it to explain)",
                source="kgtool reason",
            ) from None
        except owlready2.OwlReadyJavaError as error:
            raise ReasoningUnavailable(f"HermiT failed under {java}: {error}") from None
        seconds = time.perf_counter() - started
        return Classification(
            reach=frozenset(_reach(world, measures)),
            contains=frozenset(_contains(world, measures)),
            individuals=len(list(world.individuals())),
            reasoner=f"HermiT (owlready2 {owlready2.VERSION})",
            seconds=seconds,
        )


def _java(owlready2: Any) -> str:
    found = shutil.which(str(owlready2.JAVA_EXE))
    if found is None:
        raise ReasoningUnavailable(f"no Java runtime found for HermiT: {JAVA_HINT}")
    return found


def _scope_classes(world: Any, measures: Mapping[IRI, IRI]) -> dict[IRI, Any]:
    found = {}
    for scope in measures:
        entity = world[scope]
        if entity is not None:
            found[scope] = entity
    return found


def _reach(world: Any, measures: Mapping[IRI, IRI]) -> Iterable[tuple[IRI, IRI]]:
    classes = _scope_classes(world, measures)
    wanted = {entity.storid: measures[scope] for scope, entity in classes.items()}
    for individual in world.individuals():
        for kind in individual.INDIRECT_is_a:
            measure = wanted.get(getattr(kind, "storid", None))
            if measure is not None:
                yield IRI(individual.iri), measure


def _contains(world: Any, measures: Mapping[IRI, IRI]) -> Iterable[tuple[IRI, IRI]]:
    classes = _scope_classes(world, measures)
    wanted = {entity.storid: measures[scope] for scope, entity in classes.items()}
    for scope, entity in classes.items():
        narrower = measures[scope]
        above = {*entity.INDIRECT_is_a, *entity.INDIRECT_equivalent_to}
        for kind in above:
            broader = wanted.get(getattr(kind, "storid", None))
            if broader is not None and broader != narrower:
                yield broader, narrower


@dataclass(frozen=True)
class Reasoning:
    """A DL reasoner's answer, as rows the query formats write (table, CSV, TSV, JSON).

    `reach`: one row per actor and measure that could reach it (actor, actorLabel, measure,
    measureLabel, status, statusLabel). `scopes`: one row per pair of measures where the
    broader could reach everyone the narrower could (broader, broaderLabel, narrower,
    narrowerLabel), as the named query `scope-containment` gives them.
    """

    reach: QueryResult
    scopes: QueryResult
    individuals: int
    reasoner: str
    seconds: float


def reason(
    triples: Sequence[ox.Triple],
    statuses: Mapping[IRI, IRI | None],
    label: Callable[[Term | None], str],
) -> Reasoning:
    """Classify `triples` (ontology, data and scope classes) and give the answer as rows."""
    found = classify(triples, {scope_class(measure): measure for measure in statuses})

    def named(iri: IRI) -> list[Term | None]:
        return [iri, Literal(label(iri), lang="en")]

    reach = sorted(found.reach, key=lambda pair: (label(pair[0]), label(pair[1])))
    contains = sorted(found.contains, key=lambda pair: (label(pair[0]), label(pair[1])))
    return Reasoning(
        reach=QueryResult(
            variables=("actor", "actorLabel", "measure", "measureLabel", "status", "statusLabel"),
            rows=[
                [*named(actor), *named(measure), *_status(statuses.get(measure), label)]
                for actor, measure in reach
            ],
        ),
        scopes=QueryResult(
            variables=("broader", "broaderLabel", "narrower", "narrowerLabel"),
            rows=[[*named(broad), *named(narrow)] for broad, narrow in contains],
        ),
        individuals=found.individuals,
        reasoner=found.reasoner,
        seconds=found.seconds,
    )


def _status(status: IRI | None, label: Callable[[Term | None], str]) -> list[Term | None]:
    if status is None:
        return [None, None]
    return [status, Literal(label(status), lang="en")]
