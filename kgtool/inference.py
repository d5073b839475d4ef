"""Materialising what rules written as SPARQL CONSTRUCT files derive from the graph.

Two sets of rules, both data a researcher can read and change; this module only runs them.
- Reach (`queries/rules/*.rq`), derived whenever a graph is loaded: who meets which scope
  criterion, then which measures could reach whom. Each runs once, in order.
- RDFS and OWL RL (`ontology/rules/*.rq`), on request (`KnowledgeGraph.infer`): sub-class and
  sub-property closure, domain and range typing, inverse, symmetric and transitive properties,
  run over and over until they add nothing new.
"""

from __future__ import annotations

from collections.abc import Sequence

from kgtool.errors import KgtoolError
from kgtool.namespaces import GRAPH
from kgtool.resources import reach_rules
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


def derive_reach(store: LocalStore) -> int:
    """Derive who meets which scope criterion and which measures could reach whom into the
    store's derived graph (emptied first); return how many triples that makes."""
    store.clear_derived()
    for name, text in reach_rules():
        store.derive(text, source=name)
    return store.count([GRAPH.derived])
