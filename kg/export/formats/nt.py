"""N-Triples (one triple per line)."""

import pyoxigraph as ox

from kg.export.formats._oxigraph import writer

EXTENSION = "nt"
MEDIA_TYPE = "application/n-triples"
DATASET = False

write = writer(ox.RdfFormat.N_TRIPLES, uses_prefixes=False)
