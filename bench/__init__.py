"""The benchmark harness (`bench/run`): wenzheng's speed beside raw baselines on the same data."""
