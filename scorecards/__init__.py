"""Rates, scores, rankings, exposure and bulletins computed from the read models."""
