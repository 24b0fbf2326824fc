"""Acquisition: web search engines, URL lists, folders, CSV metadata and public datasets."""
