"""Metric functions for the evaluate stage (docs/ARCHITECTURE.md, "Metrics").

Pure functions of features or images; the evaluate stage wires them to extractors and params.
"""
