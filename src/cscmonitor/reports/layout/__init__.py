"""Each report's context laid out as a `Document`: the order and wording of its sections."""
