"""The composition root: what commands, the app and the services build from a home.

Settings are read once per file version (`Home.settings()`); here are the case service on the
home's store (`service`), the read models and their catch-up (`readside`), the scorer and its
rules (`scorer`), issuing bulletins (`bulletins`), the log's signed checkpoints (`anchoring`) and
the Kafka settings (`transport`).
"""
