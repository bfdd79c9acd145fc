"""RDF/XML (triples)."""

import pyoxigraph as ox

from kg.export.formats._oxigraph import writer

EXTENSION = "rdf"
MEDIA_TYPE = "application/rdf+xml"
DATASET = False

write = writer(ox.RdfFormat.RDF_XML)
