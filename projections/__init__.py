"""Read models: pure folds of case events and the adapters that store them."""
