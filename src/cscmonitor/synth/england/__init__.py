"""Synthetic returns for every LA in England, simulated together (see docs/scale.md)."""

from cscmonitor.synth.england.generate import EnglandSummary, generate_england

__all__ = ["EnglandSummary", "generate_england"]
