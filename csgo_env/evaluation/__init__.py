"""Offline and live evaluation, aggregation and tables."""
