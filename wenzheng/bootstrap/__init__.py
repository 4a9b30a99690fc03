"""The composition root: what commands, the app and the services build from a home.

Settings are read once (`Home.settings()`), the case service is `Home.open_service()`;
here are the read models and their catch-up (`readside`), the scorer and its rules
(`scorer`), issuing bulletins (`bulletins`) and the log's signed checkpoints (`anchoring`).
"""
