"""Tests of the ontology files: ``ontology/medkg.ttl``, ``shapes.ttl`` and ``context.jsonld``."""

from __future__ import annotations

import json
import time
from functools import cache
from pathlib import Path

import pyoxigraph
import pyshacl
import pytest
from pyld import jsonld
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic, to_isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

ONTOLOGY_DIR = Path(__file__).parent.parent / "ontology"
ONTOLOGY_TTL = ONTOLOGY_DIR / "medkg.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
CONTEXT_JSONLD = ONTOLOGY_DIR / "context.jsonld"

KGO = Namespace("https://w3id.org/medkg/ontology#")
# a plain Namespace: pytest probes module attributes, which makes rdflib's closed XSD warn
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
KG = Namespace("https://w3id.org/medkg/id/")
ONTOLOGY_IRI = URIRef("https://w3id.org/medkg/ontology")
KGO_PREFIX = str(KGO)

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


@cache
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


@cache
def context() -> dict:
    return json.loads(CONTEXT_JSONLD.read_text(encoding="utf-8"))


def declared_terms() -> set[URIRef]:
    g = ontology()
    return {
        s
        for t in TERM_TYPES
        for s in g.subjects(RDF.type, t)
        if isinstance(s, URIRef) and s.startswith(KGO_PREFIX)
    }


def expand_context_iri(value: str) -> str:
    """Expand a compact IRI of the context (``kgo:Paper``) with the context's own prefixes."""
    ctx = context()["@context"]
    prefix, sep, local = value.partition(":")
    if sep and prefix in ctx and isinstance(ctx[prefix], str) and not local.startswith("//"):
        return ctx[prefix] + local
    return value


def context_term_iris() -> dict[str, str]:
    """Term -> expanded IRI for every term of the context that is not a prefix or keyword alias."""
    out = {}
    for term, definition in context()["@context"].items():
        if term.startswith("@"):
            continue
        iri = definition if isinstance(definition, str) else definition.get("@id")
        if iri is None or iri.startswith("@"):
            continue
        expanded = expand_context_iri(iri)
        if expanded.endswith(("/", "#")):  # a prefix declaration
            continue
        out[term] = expanded
    return out


# ---------------------------------------------------------------------------------------------
# The ontology
# ---------------------------------------------------------------------------------------------


def test_ontology_parses_with_rdflib_and_pyoxigraph():
    g = ontology()
    with ONTOLOGY_TTL.open("rb") as fh:
        ox = list(pyoxigraph.parse(fh, format=pyoxigraph.RdfFormat.TURTLE))
    assert len(g) > 100
    assert len(ox) == len(g)


def test_shapes_and_context_parse_with_pyoxigraph():
    with SHAPES_TTL.open("rb") as fh:
        assert len(list(pyoxigraph.parse(fh, format=pyoxigraph.RdfFormat.TURTLE))) == len(shapes())
    with CONTEXT_JSONLD.open("rb") as fh:
        # a bare context has no triples, but must be syntactically valid JSON-LD
        assert list(pyoxigraph.parse(fh, format=pyoxigraph.RdfFormat.JSON_LD)) == []


def test_ontology_header():
    g = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    vann = Namespace("http://purl.org/vocab/vann/")
    assert str(g.value(ONTOLOGY_IRI, vann.preferredNamespacePrefix)) == "kgo"
    assert str(g.value(ONTOLOGY_IRI, vann.preferredNamespaceUri)) == KGO_PREFIX
    assert any(t.language == "en" for t in g.objects(ONTOLOGY_IRI, DCTERMS.title))
    assert g.value(ONTOLOGY_IRI, DCTERMS.description) is not None


REQUIRED_CLASSES = [
    "Work",
    "Paper",
    "Dataset",
    "Benchmark",
    "Model",
    "Method",
    "Task",
    "Topic",
    "Venue",
    "Conference",
    "Journal",
    "Modality",
    "AccessLevel",
    "Language",
    "CatalogEntry",
    "RejectedEntry",
]
REQUIRED_OBJECT_PROPERTIES = [
    "hasTopic",
    "addressesTask",
    "introduces",
    "introducedBy",
    "evaluates",
    "usesDataset",
    "language",
    "publishedIn",
    "series",
    "modality",
    "accessRights",
    "describes",
    "mentions",
    "partOfFamily",
]
REQUIRED_DATATYPE_PROPERTIES = [
    "track",
    "scale",
    "resourceType",
    "modalityText",
    "accessText",
    "topicText",
    "year",
    "sourceFile",
    "sourceLine",
    "rawHeader",
    "rawDescription",
    "rejectionReason",
    "contentHash",
    "pipelineHash",
]


@pytest.mark.parametrize(
    ("names", "kind"),
    [
        (REQUIRED_CLASSES, OWL.Class),
        (REQUIRED_OBJECT_PROPERTIES, OWL.ObjectProperty),
        (REQUIRED_DATATYPE_PROPERTIES, OWL.DatatypeProperty),
    ],
)
def test_required_terms_are_declared(names, kind):
    g = ontology()
    missing = [n for n in names if (KGO[n], RDF.type, kind) not in g]
    assert not missing, f"not declared as {kind}: {missing}"


def test_every_term_is_documented():
    g = ontology()
    problems = []
    for term in sorted(declared_terms()):
        labels = list(g.objects(term, RDFS.label))
        if not any(isinstance(x, Literal) and x.language == "en" for x in labels):
            problems.append(f"{term}: no rdfs:label@en")
        if not any(isinstance(x, Literal) and x.language == "zh" for x in labels):
            problems.append(f"{term}: no rdfs:label@zh")
        if not any(isinstance(x, Literal) and x.language == "en" for x in g.objects(term, RDFS.comment)):
            problems.append(f"{term}: no rdfs:comment@en")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in g:
            problems.append(f"{term}: no rdfs:isDefinedBy the ontology")
    assert not problems, "\n".join(problems)


def test_no_undeclared_kgo_terms_in_ontology():
    g = ontology()
    used = {t for triple in g for t in triple if isinstance(t, URIRef) and t.startswith(KGO_PREFIX)}
    assert used - declared_terms() == set()


def test_every_class_reaches_an_external_superclass():
    g = ontology()
    classes = [c for c in declared_terms() if (c, RDF.type, OWL.Class) in g]
    assert classes
    lonely = []
    for cls in classes:
        supers = {s for s in g.transitive_objects(cls, RDFS.subClassOf) if isinstance(s, URIRef)}
        if not any(not s.startswith(KGO_PREFIX) for s in supers):
            lonely.append(cls)
    assert not lonely, f"classes without a non-kgo superclass: {lonely}"


@pytest.mark.parametrize(
    ("sub", "relation", "sup"),
    [
        ("Work", RDFS.subClassOf, "http://schema.org/CreativeWork"),
        ("Work", RDFS.subClassOf, "http://www.w3.org/ns/prov#Entity"),
        ("Paper", RDFS.subClassOf, "http://purl.org/spar/fabio/ResearchPaper"),
        ("Paper", RDFS.subClassOf, "http://schema.org/ScholarlyArticle"),
        ("Dataset", RDFS.subClassOf, "http://www.w3.org/ns/dcat#Dataset"),
        ("Dataset", RDFS.subClassOf, "http://schema.org/Dataset"),
        ("Benchmark", RDFS.subClassOf, str(KGO.Dataset)),
        ("Task", RDFS.subClassOf, str(SKOS.Concept)),
        ("Topic", RDFS.subClassOf, "http://schema.org/DefinedTerm"),
        ("Journal", RDFS.subClassOf, "http://purl.org/spar/fabio/Journal"),
        ("AccessLevel", RDFS.subClassOf, str(DCTERMS.RightsStatement)),
        ("Language", RDFS.subClassOf, str(DCTERMS.LinguisticSystem)),
        ("CatalogEntry", RDFS.subClassOf, "http://www.w3.org/ns/dcat#CatalogRecord"),
        ("hasTopic", RDFS.subPropertyOf, str(DCTERMS.subject)),
        ("language", RDFS.subPropertyOf, str(DCTERMS.language)),
        ("accessRights", RDFS.subPropertyOf, str(DCTERMS.accessRights)),
        ("describes", RDFS.subPropertyOf, "http://xmlns.com/foaf/0.1/primaryTopic"),
        ("introduces", OWL.inverseOf, str(KGO.introducedBy)),
    ],
)
def test_alignments(sub, relation, sup):
    assert (KGO[sub], relation, URIRef(sup)) in ontology()


def test_uses_dataset_is_not_a_prov_used():
    """prov:used has domain prov:Activity; a work is an entity, so it must not be entailed."""
    g = ontology()
    supers = set(g.transitive_objects(KGO.usesDataset, RDFS.subPropertyOf))
    assert URIRef("http://www.w3.org/ns/prov#used") not in supers


# ---------------------------------------------------------------------------------------------
# Shapes
# ---------------------------------------------------------------------------------------------


def test_kgo_terms_used_in_shapes_are_declared():
    used = {t for triple in shapes() for t in triple if isinstance(t, URIRef) and t.startswith(KGO_PREFIX)}
    assert used, "shapes should use kgo terms"
    assert used - declared_terms() == set()


def test_shapes_graph_is_valid_shacl():
    shacl_shacl = Graph().parse(Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl")
    conforms, _, text = pyshacl.validate(shapes(), shacl_graph=shacl_shacl, inference="none")
    assert conforms, text


def test_every_shape_is_documented():
    g = shapes()
    shape_nodes = {
        s for t in (SH.NodeShape, SH.PropertyShape) for s in g.subjects(RDF.type, t) if isinstance(s, URIRef)
    }
    assert len(shape_nodes) > 20
    for shape in shape_nodes:
        assert g.value(shape, SH.name) is not None, shape
        assert g.value(shape, SH.description) is not None, shape
        if (shape, RDF.type, SH.PropertyShape) in g:
            assert g.value(shape, SH.message) is not None, shape


def test_shapes_are_not_recursive():
    """Keeps validation of large graphs cheap: no sh:node, no SPARQL-based constraints."""
    g = shapes()
    assert not list(g.triples((None, SH.node, None)))
    assert not list(g.triples((None, SH.sparql, None)))


PREFIXES = """
@prefix kgo: <https://w3id.org/medkg/ontology#> .
@prefix paper: <https://w3id.org/medkg/id/paper/> .
@prefix dataset: <https://w3id.org/medkg/id/dataset/> .
@prefix topic: <https://w3id.org/medkg/id/topic/> .
@prefix task: <https://w3id.org/medkg/id/task/> .
@prefix venue: <https://w3id.org/medkg/id/venue/> .
@prefix access: <https://w3id.org/medkg/id/access/> .
@prefix record: <https://w3id.org/medkg/id/record/> .
@prefix kg: <https://w3id.org/medkg/id/> .
@prefix lexvo: <http://lexvo.org/id/iso639-3/> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix schema: <http://schema.org/> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

PAPER_LABEL = '    rdfs:label "MedAraBench" ;\n'
PAPER_ISSUED = '    dcterms:issued "2026"^^xsd:gYear ;\n'
DATASET_LANGUAGE = "    kgo:language lexvo:ara ;\n"

GOOD_DATA = (
    PREFIXES
    + """
paper:medarabench a kgo:Paper ;
"""
    + PAPER_LABEL
    + """    dcterms:title "MedAraBench: Large-scale Arabic medical QA dataset and benchmark"@en ,
        "MedAraBench:大规模阿拉伯语医学问答数据集与基准"@zh ;
"""
    + PAPER_ISSUED
    + """    kgo:publishedIn venue:iclr-2026 ;
    kgo:track "Poster" ;
    kgo:topicText "clinical prediction" ;
    kgo:hasTopic topic:clinical-prediction ;
    kgo:addressesTask task:medical-qa ;
    kgo:introduces dataset:medarabench ;
    prov:wasDerivedFrom record:3f2a9c .

dataset:medarabench a kgo:Benchmark ;
    rdfs:label "MedAraBench" ;
    dcterms:description "Arabic multiple-choice medical question-answer pairs."@en ;
"""
    + DATASET_LANGUAGE
    + """    kgo:accessRights access:open ;
    kgo:accessText "开放访问" ;
    kgo:introducedBy paper:medarabench ;
    schema:codeRepository <https://github.com/example/medarabench> ;
    foaf:homepage <https://example.org/medarabench> ;
    prov:wasDerivedFrom record:3f2a9c .

record:3f2a9c a kgo:CatalogEntry ;
    kgo:sourceFile "003_b91fc50fb6a4089c.txt" ;
    kgo:sourceLine "1"^^xsd:positiveInteger ;
    kgo:rawHeader "论文ICLR 2026 Poster2026 年clinical prediction MedAraBench:大规模阿拉伯语医学问答数据集" ;
    kgo:rawDescription "ICLR 2026 Poster accepted paper at ICLR 2026." ;
    kgo:describes paper:medarabench ;
    kgo:mentions dataset:medarabench .

topic:clinical-prediction a kgo:Topic , skos:Concept ;
    skos:prefLabel "clinical prediction"@en , "临床预测"@zh ;
    skos:inScheme <https://w3id.org/medkg/id/scheme/topics> .

task:medical-qa a kgo:Task , skos:Concept ;
    skos:prefLabel "medical question answering"@en ;
    skos:broader task:question-answering ;
    skos:inScheme <https://w3id.org/medkg/id/scheme/tasks> .

task:question-answering a kgo:Task , skos:Concept ;
    skos:prefLabel "question answering"@en ;
    skos:inScheme <https://w3id.org/medkg/id/scheme/tasks> .

access:open a kgo:AccessLevel , skos:Concept ;
    skos:prefLabel "open"@en , "开放访问"@zh ;
    skos:inScheme <https://w3id.org/medkg/id/scheme/access> .

venue:iclr-2026 a kgo:Venue ;
    rdfs:label "ICLR 2026" ;
    kgo:year "2026"^^xsd:gYear ;
    kgo:series venue:iclr .

venue:iclr a kgo:Conference ;
    rdfs:label "ICLR" .

lexvo:ara a kgo:Language ;
    owl:sameAs wd:Q13955 .
"""
)

PAPER = URIRef("https://w3id.org/medkg/id/paper/medarabench")
BENCHMARK = URIRef("https://w3id.org/medkg/id/dataset/medarabench")


def validate(data_ttl: str) -> tuple[bool, set[tuple[URIRef, URIRef]]]:
    data = Graph().parse(data=data_ttl, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes(), inference="none")
    results = {
        (report.value(r, SH.focusNode), report.value(r, SH.resultPath))
        for r in report.objects(None, SH.result)
    }
    return conforms, results


def test_good_data_conforms():
    conforms, results = validate(GOOD_DATA)
    assert conforms, results


@pytest.mark.parametrize(
    ("old", "new", "focus", "path"),
    [
        pytest.param(PAPER_LABEL, "", PAPER, RDFS.label, id="missing-label"),
        pytest.param(
            PAPER_ISSUED,
            '    dcterms:issued "2026"^^xsd:integer ;\n',
            PAPER,
            DCTERMS.issued,
            id="year-datatype",
        ),
        pytest.param(
            DATASET_LANGUAGE, '    kgo:language "ara" ;\n', BENCHMARK, KGO.language, id="language-literal"
        ),
    ],
)
def test_broken_data_fails_on_the_right_node(old, new, focus, path):
    assert old in GOOD_DATA
    conforms, results = validate(GOOD_DATA.replace(old, new, 1))
    assert not conforms
    assert results == {(focus, path)}


def test_untagged_title_and_bad_line_fail():
    broken = GOOD_DATA.replace('"1"^^xsd:positiveInteger', '"0"^^xsd:integer').replace(
        '"MedAraBench:大规模阿拉伯语医学问答数据集与基准"@zh',
        '"MedAraBench:大规模阿拉伯语医学问答数据集与基准"',
    )
    conforms, results = validate(broken)
    assert not conforms
    assert results == {
        (PAPER, DCTERMS.title),
        (URIRef("https://w3id.org/medkg/id/record/3f2a9c"), KGO.sourceLine),
    }


def test_data_stored_in_oxigraph_still_conforms():
    """Oxigraph stores xsd:positiveInteger as xsd:integer; the sourceLine shape accepts both."""
    store = pyoxigraph.Store()
    store.load(GOOD_DATA.encode(), format=pyoxigraph.RdfFormat.TURTLE)
    triples = list(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"))
    nt = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.N_TRIPLES).decode()
    data = Graph().parse(data=nt, format="nt")
    line = data.value(URIRef("https://w3id.org/medkg/id/record/3f2a9c"), KGO.sourceLine)
    assert line.datatype in (XSD.integer, XSD.positiveInteger)
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes(), inference="none")
    assert conforms, text


def test_task_without_english_label_is_a_warning():
    broken = Graph().parse(data=GOOD_DATA.replace('"question answering"@en', '"问答"@zh'), format="turtle")
    conforms, report, _ = pyshacl.validate(broken, shacl_graph=shapes(), inference="none")
    assert not conforms
    results = list(report.objects(None, SH.result))
    assert len(results) == 1
    assert report.value(results[0], SH.focusNode) == URIRef(
        "https://w3id.org/medkg/id/task/question-answering"
    )
    assert report.value(results[0], SH.resultSeverity) == SH.Warning
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=shapes(), inference="none", allow_warnings=True)
    assert conforms


def test_good_data_conforms_with_the_ontology_in_the_data_graph():
    """As ``kg validate`` runs it: the ontology graph is part of the data graph, so subclasses
    count (a paper published directly in a kgo:Journal series is published in a kgo:Venue)."""
    data = Graph().parse(data=GOOD_DATA, format="turtle")
    data.parse(ONTOLOGY_TTL, format="turtle")
    journal = URIRef("https://w3id.org/medkg/id/venue/nature-medicine")
    data.set((PAPER, KGO.publishedIn, journal))
    data.add((journal, RDF.type, KGO.Journal))
    data.add((journal, SKOS.prefLabel, Literal("Nature Medicine", lang="en")))
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes(), inference="none")
    assert conforms, text


def test_rejected_entry_shape():
    rejected = URIRef("https://w3id.org/medkg/id/record/rejected-0123")
    data = Graph()
    data.add((rejected, RDF.type, KGO.RejectedEntry))
    data.add((rejected, KGO.sourceFile, Literal("data/catalog/x.txt")))
    data.add((rejected, KGO.sourceLine, Literal("0", datatype=XSD.integer)))
    data.add((rejected, KGO.rawHeader, Literal("garbage")))
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes(), inference="none")
    assert not conforms
    paths = {report.value(r, SH.resultPath) for r in report.objects(None, SH.result)}
    assert paths == {KGO.sourceLine, KGO.rejectionReason}


def test_validation_of_a_large_graph_is_fast():
    """~25k triples (copies of the good data) validate in seconds: the shapes stay cheap."""
    base = Graph().parse(data=GOOD_DATA, format="turtle")
    data = Graph()
    for i in range(60):
        for triple in base:
            data.add(
                tuple(
                    URIRef(f"{t}-{i}") if isinstance(t, URIRef) and t.startswith(str(KG)) else t
                    for t in triple
                )
            )
    assert len(data) > 2_000
    start = time.perf_counter()
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes(), inference="none")
    elapsed = time.perf_counter() - start
    assert conforms, text
    assert elapsed < 30, f"validating {len(data)} triples took {elapsed:.1f}s"


# ---------------------------------------------------------------------------------------------
# JSON-LD context
# ---------------------------------------------------------------------------------------------


def test_context_terms_are_declared_and_cover_the_ontology():
    terms = context_term_iris()
    kgo_iris = {URIRef(iri) for iri in terms.values() if iri.startswith(KGO_PREFIX)}
    assert kgo_iris - declared_terms() == set(), "context maps keys to undeclared kgo terms"
    assert declared_terms() - kgo_iris == set(), "kgo terms without a readable key"


@pytest.mark.parametrize(
    ("key", "iri"),
    [
        ("name", str(RDFS.label)),
        ("label", str(RDFS.label)),
        ("title", str(DCTERMS.title)),
        ("description", str(DCTERMS.description)),
        ("issued", str(DCTERMS.issued)),
        ("codeRepository", "http://schema.org/codeRepository"),
        ("homepage", "http://xmlns.com/foaf/0.1/homepage"),
        ("language", str(KGO.language)),
        ("topic", str(KGO.hasTopic)),
        ("tasks", str(KGO.addressesTask)),
        ("publishedIn", str(KGO.publishedIn)),
        ("wasDerivedFrom", "http://www.w3.org/ns/prov#wasDerivedFrom"),
        ("sameAs", str(OWL.sameAs)),
        ("prefLabel", str(SKOS.prefLabel)),
        ("broader", str(SKOS.broader)),
        ("Dataset", str(KGO.Dataset)),
    ],
)
def test_context_keys(key, iri):
    assert context_term_iris()[key] == iri


def test_object_properties_are_id_typed():
    ctx = context()["@context"]
    g = ontology()
    for term, iri in context_term_iris().items():
        if (URIRef(iri), RDF.type, OWL.ObjectProperty) in g:
            assert isinstance(ctx[term], dict) and ctx[term].get("@type") == "@id", term


COMPACT_DOC = {
    "@graph": [
        {
            "id": "kg:paper/medarabench",
            "type": "Paper",
            "name": "MedAraBench",
            "title": {"en": "MedAraBench: Arabic medical QA", "zh": "MedAraBench:阿拉伯语医学问答"},
            "issued": "2026",
            "publishedIn": "kg:venue/iclr-2026",
            "track": "Poster",
            "topic": ["kg:topic/clinical-prediction"],
            "tasks": ["kg:task/medical-qa"],
            "introduces": ["kg:dataset/medarabench"],
            "evaluates": ["kg:model/gpt-4"],
            "wasDerivedFrom": ["kg:record/3f2a9c"],
        },
        {
            "id": "kg:dataset/medarabench",
            "type": ["Benchmark", "Dataset"],
            "name": "MedAraBench",
            "description": "Arabic multiple-choice medical QA pairs.",
            "language": ["lexvo:ara"],
            "accessRights": "kg:access/open",
            "accessText": "开放访问",
            "modality": ["kg:modality/text"],
            "scale": "large-scale",
            "codeRepository": "https://github.com/example/medarabench",
            "homepage": "https://example.org/medarabench",
            "wasDerivedFrom": ["kg:record/3f2a9c"],
        },
        {
            "id": "kg:record/3f2a9c",
            "type": "CatalogEntry",
            "sourceFile": "003_b91fc50fb6a4089c.txt",
            "sourceLine": "1",
            "rawHeader": "论文ICLR 2026 Poster2026 年clinical prediction MedAraBench",
            "describes": "kg:paper/medarabench",
            "mentions": ["kg:dataset/medarabench"],
        },
        {
            "id": "kg:topic/clinical-prediction",
            "type": ["Concept", "Topic"],
            "prefLabel": {"en": "clinical prediction", "zh": "临床预测"},
            "altLabel": {"en": ["clinical forecasting"]},
            "inScheme": "kg:scheme/topics",
            "broader": ["kg:topic/clinical-ai"],
        },
        {"id": "lexvo:ara", "type": "Language", "sameAs": ["wd:Q13955"]},
    ]
}


def _doc_with_context(doc: dict) -> dict:
    return {"@context": context()["@context"], **doc}


def _graph_from_nquads(nquads: str) -> Graph:
    """pyld's output for a document without named graphs is plain N-Triples."""
    return Graph().parse(data=nquads, format="nt")


def test_context_expands_with_pyld():
    expanded = jsonld.expand(_doc_with_context(COMPACT_DOC))
    by_id = {node["@id"]: node for node in expanded}
    paper = by_id["https://w3id.org/medkg/id/paper/medarabench"]
    assert paper["@type"] == [str(KGO.Paper)]
    assert paper[str(DCTERMS.issued)] == [{"@value": "2026", "@type": str(XSD.gYear)}]
    assert paper[str(KGO.publishedIn)] == [{"@id": "https://w3id.org/medkg/id/venue/iclr-2026"}]
    assert {"@value": "MedAraBench:阿拉伯语医学问答", "@language": "zh"} in paper[str(DCTERMS.title)]
    dataset = by_id["https://w3id.org/medkg/id/dataset/medarabench"]
    assert dataset[str(KGO.language)] == [{"@id": "http://lexvo.org/id/iso639-3/ara"}]


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_compacted_document_gives_the_same_triples_in_pyld_and_rdflib():
    doc = _doc_with_context(COMPACT_DOC)
    via_pyld = _graph_from_nquads(jsonld.to_rdf(doc, {"format": "application/n-quads"}))
    via_rdflib = Graph().parse(data=json.dumps(doc), format="json-ld")
    assert len(via_pyld) > 30
    assert isomorphic(via_pyld, via_rdflib), _diff(via_pyld, via_rdflib)
    assert (
        URIRef("https://w3id.org/medkg/id/record/3f2a9c"),
        KGO.sourceLine,
        Literal("1", datatype=XSD.positiveInteger),
    ) in via_rdflib


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_turtle_compacts_and_round_trips():
    """Turtle -> JSON-LD compacted with our context -> RDF again: same graph, readable keys."""
    original = Graph().parse(data=GOOD_DATA, format="turtle")
    expanded = jsonld.from_rdf(original.serialize(format="nt"), {"format": "application/n-quads"})
    compacted = jsonld.compact(expanded, context())
    again = _graph_from_nquads(jsonld.to_rdf(compacted, {"format": "application/n-quads"}))
    assert isomorphic(original, again), _diff(original, again)
    assert isomorphic(original, Graph().parse(data=json.dumps(compacted), format="json-ld"))

    # Every property is written with a context key, never as a full or prefixed IRI.
    nodes = compacted["@graph"]
    keys = {k for node in nodes for k in node}
    assert keys <= set(context_term_iris()) | {"id", "type"}, keys
    benchmark = next(n for n in nodes if n["id"] == "kg:dataset/medarabench")
    assert benchmark["type"] == "Benchmark"
    assert benchmark["name"] == "MedAraBench"  # rdfs:label compacts to the schema.org-style key
    assert benchmark["language"] == ["lexvo:ara"]
    assert benchmark["accessRights"] == "kg:access/open"
    paper = next(n for n in nodes if n["id"] == "kg:paper/medarabench")
    assert paper["issued"] == "2026"
    assert set(paper["title"]) == {"en", "zh"}


def _diff(a: Graph, b: Graph) -> str:
    ia, ib = to_isomorphic(a), to_isomorphic(b)
    only_a = sorted(str(t) for t in ia - ib if not any(isinstance(x, BNode) for x in t))
    only_b = sorted(str(t) for t in ib - ia if not any(isinstance(x, BNode) for x in t))
    return f"only in first: {only_a[:10]}\nonly in second: {only_b[:10]}"
