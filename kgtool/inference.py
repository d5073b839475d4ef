"""Materialising inferences with rules written as SPARQL CONSTRUCT files.

The rules (`ontology/rules/*.rq`) cover the RDFS and OWL RL subset the ontology uses:
sub-class and sub-property closure, domain and range typing, inverse, symmetric and transitive
properties. They are data, so a researcher can read and change them; this module only runs
them, over and over, until they add nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence

from kgtool.errors import KgtoolError
from kgtool.resources import rules as shipped_rules
from kgtool.store import LocalStore

#: Rules create no new nodes, so a fixpoint comes quickly; this bound only catches a rule
#: that keeps minting blank nodes.
MAX_ROUNDS = 100


def materialise(store: LocalStore, rules: Sequence[tuple[str, str]] | None = None) -> int:
    """Fill the inferred graph with everything the rules derive; return its size.

    `rules` are (name, CONSTRUCT text) pairs, the shipped ones by default. The inferred graph
    is emptied first, so running this again after loading more data starts afresh.
    """
    rules = shipped_rules() if rules is None else rules
    store.clear_inferred()
    total = 0
    for _ in range(MAX_ROUNDS):
        added = sum(store.add_inferred(store.construct(text, source=name)) for name, text in rules)
        total += added
        if added == 0:
            return total
    raise KgtoolError(f"the inference rules reached no fixpoint after {MAX_ROUNDS} rounds")
