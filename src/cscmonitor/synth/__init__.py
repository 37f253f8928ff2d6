"""Synthetic statutory returns: children's journeys simulated, written in the real formats."""

from cscmonitor.synth.generate import SynthSummary, generate
from cscmonitor.synth.scenario import known as known_scenarios

__all__ = ["SynthSummary", "generate", "known_scenarios"]
