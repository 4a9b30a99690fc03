"""The event store's integrity layer: hash-chained recorders, case keys and verification."""
