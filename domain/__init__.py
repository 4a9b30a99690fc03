"""The case domain: the Case aggregate, time limits, the working-day calendar, the service."""
