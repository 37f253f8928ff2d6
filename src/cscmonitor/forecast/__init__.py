"""Demand and cost forecasting from the SSDA903 history (docs/forecast.md).

States are age band × placement category × banded time in the current placement; monthly
hazards are fitted from the warehouse's episodes with shrinkage for small states; entrants
are a rate per 10,000 children; a Monte Carlo over children gives the intervals.
"""
