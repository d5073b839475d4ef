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


class RDFS:
    NS: Final = "http://www.w3.org/2000/01/rdf-schema#"
    label: Final = NS + "label"


class OWL:
    NS: Final = "http://www.w3.org/2002/07/owl#"
    Ontology: Final = NS + "Ontology"
    imports: Final = NS + "imports"


class SKOS:
    NS: Final = "http://www.w3.org/2004/02/skos/core#"
    altLabel: Final = NS + "altLabel"
    prefLabel: Final = NS + "prefLabel"


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


KGD: Final = "https://w3id.org/kgtool/id/"
KGV: Final = "https://w3id.org/kgtool/vocab/"
KGSH: Final = "https://w3id.org/kgtool/shapes#"

#: The ontology document that an export merges every module into.
ONTOLOGY: Final = "https://w3id.org/kgtool/ontology"


class GRAPH:
    """Names of the graphs in the store: one per loaded file, and one for inferences."""

    NS: Final = "https://w3id.org/kgtool/graph/"
    inferred: Final = NS + "inferred"
    #: The one graph `kgtool push` fills in a remote store: ontology and data together.
    all: Final = NS + "all"


#: Prefixes for display, Turtle output and prefixed names typed by a user.
PREFIXES: Final[dict[str, str]] = {
    "kg": KG.NS,
    "kgd": KGD,
    "kgv": KGV,
    "kgsh": KGSH,
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
