"""The reports' typed contexts: every figure and fact a report shows, built once."""
