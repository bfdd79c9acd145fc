"""TriG (Turtle with named graphs; keeps them by default)."""

import pyoxigraph as ox

from kg.export.formats._oxigraph import writer

EXTENSION = "trig"
MEDIA_TYPE = "application/trig"
DATASET = True

write = writer(ox.RdfFormat.TRIG)
