"""cscmonitor: run a children's social care Service Delivery Contract from the statutory returns."""

__version__ = "0.1.0"
