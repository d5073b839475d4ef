"""Measuring kgtool, kept apart from the library: nothing in the core imports this package.

- `python -m kgtool.bench` (`run`): kgtool beside the same engine used raw, like for like,
  with the measuring processes in `measure`, the endpoints under wrk in `endpoint`, and the
  ratios, tables and plot in `report`;
- `kgtool.bench.synthetic`: synthetic graphs of kgtool's ontology, any size (`kgtool synth`);
- `python -m kgtool.bench.soak` and `python -m kgtool.bench.probes`: the endpoint under the
  same hostile traffic as Oxigraph's server (`traffic`), and issue 13's attacks one by one.
"""
