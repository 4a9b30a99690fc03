"""Shared fixtures: real PostgreSQL and Kafka come from tests/fixtures/."""

pytest_plugins = ["tests.fixtures.postgres", "tests.fixtures.kafka"]
