"""Curating scraped data: rank every image by how likely it is mislabelled or off-topic."""
