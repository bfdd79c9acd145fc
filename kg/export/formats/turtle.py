"""Turtle (triples; --graph default or one graph)."""

import pyoxigraph as ox

from kg.export.formats._oxigraph import writer

EXTENSION = "ttl"
MEDIA_TYPE = "text/turtle"
DATASET = False

write = writer(ox.RdfFormat.TURTLE)
