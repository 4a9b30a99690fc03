"""Kafka relay, projector and intake: transport only, no business rules."""
