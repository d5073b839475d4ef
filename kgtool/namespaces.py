"""The vocabulary terms the code itself names, in one place, as plain `str` IRIs.

Plain strings keep this module free of imports (rdflib is never loaded on the query path);
`kgtool.terms.IRI` is a `str` too, so the constants compare equal to query results.
"""

from __future__ import annotations

from typing import Final


class RDF:
    NS: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    type: Final = NS + "type"
    langString: Final = NS + "langString"
    first: Final = NS + "first"
    rest: Final = NS + "rest"
    nil: Final = NS + "nil"


class RDFS:
    NS: Final = "http://www.w3.org/2000/01/rdf-schema#"
    label: Final = NS + "label"
    subClassOf: Final = NS + "subClassOf"
    isDefinedBy: Final = NS + "isDefinedBy"


class OWL:
    NS: Final = "http://www.w3.org/2002/07/owl#"
    Ontology: Final = NS + "Ontology"
    imports: Final = NS + "imports"
    Class: Final = NS + "Class"
    NamedIndividual: Final = NS + "NamedIndividual"
    Restriction: Final = NS + "Restriction"
    onProperty: Final = NS + "onProperty"
    hasValue: Final = NS + "hasValue"
    someValuesFrom: Final = NS + "someValuesFrom"
    equivalentClass: Final = NS + "equivalentClass"
    intersectionOf: Final = NS + "intersectionOf"
    unionOf: Final = NS + "unionOf"
    oneOf: Final = NS + "oneOf"


class SKOS:
    NS: Final = "http://www.w3.org/2004/02/skos/core#"
    altLabel: Final = NS + "altLabel"
    prefLabel: Final = NS + "prefLabel"
    definition: Final = NS + "definition"


class SH:
    NS: Final = "http://www.w3.org/ns/shacl#"
    ValidationResult: Final = NS + "ValidationResult"
    focusNode: Final = NS + "focusNode"
    resultPath: Final = NS + "resultPath"
    resultMessage: Final = NS + "resultMessage"
    resultSeverity: Final = NS + "resultSeverity"
    sourceShape: Final = NS + "sourceShape"
    value: Final = NS + "value"


class XSD:
    NS: Final = "http://www.w3.org/2001/XMLSchema#"
    string: Final = NS + "string"
    boolean: Final = NS + "boolean"
    decimal: Final = NS + "decimal"
    double: Final = NS + "double"
    float: Final = NS + "float"
    date: Final = NS + "date"
    dateTime: Final = NS + "dateTime"
    integer: Final = NS + "integer"
    #: The datatypes derived from xsd:integer, whose values are Python ints.
    INTEGERS: Final = frozenset(
        map(
            NS.__add__,
            (
                "integer",
                "int",
                "long",
                "short",
                "byte",
                "nonNegativeInteger",
                "nonPositiveInteger",
                "positiveInteger",
                "negativeInteger",
                "unsignedLong",
                "unsignedInt",
                "unsignedShort",
                "unsignedByte",
            ),
        )
    )


class KG:
    """Terms of the kgtool ontology that the code counts or groups by."""

    NS: Final = "https://w3id.org/kgtool/def#"
    Claim: Final = NS + "Claim"
    PolicyMeasure: Final = NS + "PolicyMeasure"
    TextSegment: Final = NS + "TextSegment"
    meetsCriterion: Final = NS + "meetsCriterion"
    withinReachOf: Final = NS + "withinReachOf"


KGD: Final = "https://w3id.org/kgtool/id/"
KGV: Final = "https://w3id.org/kgtool/vocab/"
KGSH: Final = "https://w3id.org/kgtool/shapes#"
#: The classes `kgtool.scopes` derives from the scope criteria and measures.
KGS: Final = "https://w3id.org/kgtool/scope/"

#: The ontology document that an export merges every module into.
ONTOLOGY: Final = "https://w3id.org/kgtool/ontology"


class GRAPH:
    """Names of the graphs in the store: one per loaded file, one for what is derived at load
    (reach), and one for the RDFS / OWL RL inferences."""

    NS: Final = "https://w3id.org/kgtool/graph/"
    inferred: Final = NS + "inferred"
    derived: Final = NS + "derived"
    #: The one graph `kgtool push` fills in a remote store: ontology and data together.
    all: Final = NS + "all"


#: Prefixes for display, Turtle output and prefixed names typed by a user.
PREFIXES: Final[dict[str, str]] = {
    "kg": KG.NS,
    "kgd": KGD,
    "kgv": KGV,
    "kgsh": KGSH,
    "kgs": KGS,
    "rdf": RDF.NS,
    "rdfs": RDFS.NS,
    "owl": OWL.NS,
    "xsd": XSD.NS,
    "skos": SKOS.NS,
    "sh": SH.NS,
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "eli": "http://data.europa.eu/eli/ontology#",
}
