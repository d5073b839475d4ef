"""Materialising what rules written as SPARQL CONSTRUCT files derive from the graph.

Two sets of rules, both data a researcher can read and change; this module only runs them.
- Reach (`queries/rules/`), *derived* whenever a graph is loaded: who meets which scope
  criterion, then which measures could reach whom (`REACH`, in that order: the second reads
  what the first derives). Each runs once, into the graph `https://w3id.org/kgtool/graph/derived`.
- RDFS and OWL RL (`queries/rules/owl-rl/`), *inferred* on request (`KnowledgeGraph.infer`):
  sub-class and sub-property closure, domain and range typing, inverse, symmetric and
  transitive properties, run over and over until they add nothing new, into the graph
  `https://w3id.org/kgtool/graph/inferred`.
"""

from __future__ import annotations

from collections.abc import Sequence

from kgtool import catalog
from kgtool.catalog import NamedQuery
from kgtool.errors import KgtoolError
from kgtool.namespaces import GRAPH
from kgtool.store import LocalStore

#: Rules create no new nodes, so a fixpoint comes quickly; this bound only catches a rule
#: that keeps minting blank nodes.
MAX_ROUNDS = 100
#: The reach rules of `queries/rules/`, in the order they run.
REACH = ("meets-criterion", "within-reach")


def materialise(store: LocalStore, rules: Sequence[NamedQuery] | None = None) -> int:
    """Fill the inferred graph with everything the rules infer; return its size.

    `rules` are CONSTRUCT queries, the shipped RDFS / OWL RL ones by default. The inferred
    graph is emptied first, so running this again after loading more data starts afresh.
    """
    rules = catalog.shipped("rules/owl-rl").all() if rules is None else rules
    store.clear_inferred()
    total = 0
    for _ in range(MAX_ROUNDS):
        added = sum(
            store.add_inferred(store.construct(rule.sparql, source=rule.source)) for rule in rules
        )
        total += added
        if added == 0:
            return total
    raise KgtoolError(f"the inference rules reached no fixpoint after {MAX_ROUNDS} rounds")


def derive_reach(store: LocalStore) -> int:
    """Derive who meets which scope criterion and which measures could reach whom into the
    store's derived graph (emptied first); return how many triples that makes."""
    store.clear_derived()
    rules = catalog.shipped("rules")
    for rule in (rules.get(name) for name in REACH):
        store.derive(rule.sparql, source=rule.source)
    return store.count([GRAPH.derived])
