"""jixiao: budget performance self-evaluation (预算绩效自评) engine.

The flow is a pipeline: load → parse values → validate → score → (render).
Scoring is pure functions over immutable records; I/O lives at the edges
(`loader`, `cli`).
"""

__version__ = "0.1.0"
