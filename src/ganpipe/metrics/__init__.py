"""Metric functions for the evaluate stage (DESIGN.md, Evaluation).

Pure functions of features or images; the evaluate stage wires them to extractors and params.
"""
