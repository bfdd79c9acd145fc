"""N-Quads (keeps the named graphs by default)."""

import pyoxigraph as ox

from kg.export.formats._oxigraph import writer

EXTENSION = "nq"
MEDIA_TYPE = "application/n-quads"
DATASET = True

write = writer(ox.RdfFormat.N_QUADS, uses_prefixes=False)
