"""Definitions the tests hold the code to, written as plainly as Python allows."""

from __future__ import annotations

import rdflib

from kgtool.namespaces import KG


def reach_by_definition(graph: rdflib.Graph) -> dict[str, set[str]]:
    """Which measures reach which entity, computed from the definition of a scope criterion in
    plain Python over rdflib (no SPARQL): a measure reaches an entity when each of its criteria
    has a fact (the criterion's property or a sub-property) about the entity, or, for a
    criterion with a via-property, about a neighbour the entity reaches through that property
    (or a sub-property of it) or that reaches the entity through its declared inverse (or a
    sub-property of that); the fact's value is the criterion's value or an instance of (a
    sub-class of) its class."""
    kg = rdflib.Namespace(KG.NS)
    sub_property, sub_class = rdflib.RDFS.subPropertyOf, rdflib.RDFS.subClassOf

    def below(node: rdflib.term.Node, relation: rdflib.URIRef) -> set[rdflib.term.Node]:
        return set(graph.transitive_subjects(relation, node))

    def inverses(node: rdflib.term.Node) -> set[rdflib.term.Node]:
        declared = rdflib.OWL.inverseOf
        return set(graph.objects(node, declared)) | set(graph.subjects(declared, node))

    def meets(criterion: rdflib.term.Node, entity: rdflib.term.Node) -> bool:
        via = graph.value(criterion, kg.criterionVia)
        if via is None:
            holders = {entity}
        else:
            holders = {h for p in below(via, sub_property) for h in graph.objects(entity, p)}
            holders |= {
                h
                for back in inverses(via)
                for p in below(back, sub_property)
                for h in graph.subjects(p, entity)
            }
            holders.discard(entity)
        properties = below(graph.value(criterion, kg.criterionProperty), sub_property)
        value = graph.value(criterion, kg.criterionValue)
        kind = graph.value(criterion, kg.criterionClass)
        classes = below(kind, sub_class) if kind is not None else set()
        return any(
            found == value or any(t in classes for t in graph.objects(found, rdflib.RDF.type))
            for holder in holders
            for p in properties
            for found in graph.objects(holder, p)
        )

    measures = set(graph.subjects(rdflib.RDF.type, kg.PolicyMeasure))
    entities = set(graph.subjects(rdflib.RDF.type, None)) - measures
    return {
        str(entity): {
            str(measure)
            for measure in measures
            if all(meets(c, entity) for c in graph.objects(measure, kg.scopeCriterion))
        }
        for entity in entities
        if isinstance(entity, rdflib.URIRef)
    }
