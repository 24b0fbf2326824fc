"""Metric functions for the evaluate stage (docs/ARCHITECTURE.md, "Adding things").

Pure functions of features or images; the evaluate stage wires them to extractors and params.
"""
