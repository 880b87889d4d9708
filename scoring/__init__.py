"""jixiao: budget performance self-evaluation (预算绩效自评) engine.

The flow is a pipeline, one package per stage: load (`sources`) → parse and
score (`core`) → render (`outputs`), strung together once in `pipeline`;
reviews (`review`), the reviewer page (`web`) and the command (`cli`) sit on
top. Scoring is pure functions over immutable records; I/O lives at the edges.
docs/architecture.md is the map.
"""

__version__ = "0.1.0"
