"""Shared fixtures: real PostgreSQL and Kafka come from tests/fixtures/."""

import os

# Case keys are wrapped by a key-encryption key held outside the home (docs/integrity.md);
# every test process and the `wenzheng` subprocesses it starts share this one.
os.environ.setdefault("WENZHENG_KEK", "dGVzdC1rZWstZm9yLXRoZS13ZW56aGVuZy10ZXN0cyE=")

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.kafka"]
