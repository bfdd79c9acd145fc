"""Checks for the controlled vocabularies in data/vocab/*.ttl and kg/link/languages.py."""

from __future__ import annotations

import re
import sys
import time
import unicodedata
from collections import defaultdict
from functools import cache, lru_cache
from pathlib import Path

import pycountry
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kg.link import languages  # noqa: E402

VOCAB = ROOT / "data" / "vocab"
CATALOG = ROOT / "data" / "catalog"
BASE = "https://w3id.org/medkg/id/"
KGO = Namespace("https://w3id.org/medkg/ontology#")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
PWC_TASK = re.compile(r"^https://linkedpaperswithcode\.com/task/[a-z0-9][a-z0-9-]*$")
WIKIDATA = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
LEXVO = re.compile(r"^http://lexvo\.org/id/iso639-3/([a-z]{3})$")

# file -> (IRI family, scheme slug, allowed kgo types, zh prefLabel required)
FILES: dict[str, tuple[str, str, set[URIRef], bool]] = {
    "tasks.ttl": ("task", "tasks", {KGO.Task}, True),
    "topics.ttl": ("topic", "topics", {KGO.Topic}, True),
    "venues.ttl": ("venue", "venues", {KGO.Conference, KGO.Journal, KGO.Venue}, False),
    "modalities.ttl": ("modality", "modalities", {KGO.Modality}, True),
    "access.ttl": ("access", "access", {KGO.AccessLevel}, True),
    "models.ttl": ("model", "models", {KGO.Model}, False),
    "benchmarks.ttl": ("dataset", "benchmarks", {KGO.Benchmark, KGO.Dataset}, False),
}
FAMILIES = {"paper", "dataset", "model", "method", "task", "topic", "venue", "modality", "access",
            "record", "scheme", "graph"}

# The four topics printed by the seed catalog (data/catalog/*.txt), spelled exactly.
SEED_TOPICS = {"trustworthy medical AI", "clinical prediction", "medical LLM agent", "临床 LLM"}


@cache
def load(name: str) -> Graph:
    graph = Graph()
    graph.parse(VOCAB / name, format="turtle")
    return graph


def concepts(graph: Graph) -> set[URIRef]:
    return set(graph.subjects(RDF.type, SKOS.Concept))


def labels(graph: Graph, node: URIRef) -> list[Literal]:
    return [*graph.objects(node, SKOS.prefLabel), *graph.objects(node, SKOS.altLabel)]


def norm(text: str) -> str:
    """The compare-form the linker uses (kg.parse.text.normalize): NFKC, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def label_owners(graph: Graph) -> dict[str, set[URIRef]]:
    owners: dict[str, set[URIRef]] = defaultdict(set)
    for node in concepts(graph):
        for label in labels(graph, node):
            owners[norm(str(label))].add(node)
    return owners


def catalog_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(CATALOG.glob("*.txt")))


def slug_of(graph: Graph, label: str) -> str:
    owners = label_owners(graph).get(norm(label), set())
    assert len(owners) == 1, f"{label!r} owned by {sorted(owners)}"
    return str(next(iter(owners))).rsplit("/", 1)[1]


# --------------------------------------------------------------------------- structure


@pytest.mark.parametrize("name", sorted(FILES))
def test_file_parses_and_has_one_scheme(name: str) -> None:
    text = (VOCAB / name).read_text(encoding="utf-8")
    assert text.lstrip().startswith("#"), "vocab files start with a comment header"
    graph = load(name)
    family, scheme, _, _ = FILES[name]
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == {URIRef(BASE + "scheme/" + scheme)}
    titles = list(graph.objects(URIRef(BASE + "scheme/" + scheme), DCTERMS.title))
    assert any(t.language == "en" for t in titles)
    assert len(concepts(graph)) >= 5


@pytest.mark.parametrize("name", sorted(FILES))
def test_concept_iris_types_and_scheme(name: str) -> None:
    graph = load(name)
    family, scheme, allowed, _ = FILES[name]
    scheme_iri = URIRef(BASE + "scheme/" + scheme)
    for node in concepts(graph):
        iri = str(node)
        assert iri.startswith(f"{BASE}{family}/"), iri
        assert SLUG.match(iri[len(f"{BASE}{family}/"):]), iri
        assert (node, SKOS.inScheme, scheme_iri) in graph, iri
        types = set(graph.objects(node, RDF.type)) - {SKOS.Concept}
        assert types and types <= allowed, (iri, types)
        if name == "venues.ttl":
            assert len(types) == 1, (iri, types)
        for top in graph.objects(node, SKOS.topConceptOf):
            assert top == scheme_iri
            assert (node, SKOS.broader, None) not in graph, f"{iri}: a top concept has no broader"
        if (node, SKOS.broader, None) not in graph:
            assert (node, SKOS.topConceptOf, scheme_iri) in graph, f"root {iri} lacks topConceptOf"


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_medkg_iri_follows_conventions(name: str) -> None:
    graph = load(name)
    for term in {t for triple in graph for t in triple if isinstance(t, URIRef)}:
        iri = str(term)
        if iri.startswith(BASE):
            family, _, slug = iri[len(BASE):].partition("/")
            assert family in FAMILIES, iri
            assert SLUG.match(slug), iri


@pytest.mark.parametrize("name", sorted(FILES))
def test_pref_labels(name: str) -> None:
    graph = load(name)
    needs_zh = FILES[name][3]
    for node in concepts(graph):
        prefs = list(graph.objects(node, SKOS.prefLabel))
        langs = [p.language for p in prefs]
        assert len(langs) == len(set(langs)), f"{node}: more than one prefLabel per language"
        assert "en" in langs, f"{node}: no @en prefLabel"
        if needs_zh:
            assert "zh" in langs, f"{node}: no @zh prefLabel"
        alts = set(graph.objects(node, SKOS.altLabel))
        assert not alts & set(prefs), f"{node}: prefLabel repeated as altLabel"
        for label in labels(graph, node):
            assert isinstance(label, Literal) and label.language in {"en", "zh"}, (node, label)
            assert str(label) == str(label).strip() and str(label), (node, label)


@pytest.mark.parametrize("name", sorted(FILES))
def test_labels_unique_across_concepts(name: str) -> None:
    clashes = {k: v for k, v in label_owners(load(name)).items() if len(v) > 1}
    assert not clashes, clashes


@pytest.mark.parametrize("name", sorted(FILES))
def test_broader_and_related_targets_exist_and_no_cycles(name: str) -> None:
    graph = load(name)
    nodes = concepts(graph)
    parents: dict[URIRef, set[URIRef]] = defaultdict(set)
    for s, p, o in graph:
        if p in (SKOS.broader, SKOS.narrower, SKOS.related):
            assert s in nodes and o in nodes, (s, p, o)
        if p == SKOS.broader:
            parents[s].add(o)

    def ancestors(node: URIRef) -> set[URIRef]:
        seen: set[URIRef] = set()
        stack = list(parents[node])
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(parents[current])
        return seen

    for node in nodes:
        up = ancestors(node)
        assert node not in up, f"broader cycle through {node}"
        for rel in graph.objects(node, SKOS.related):
            assert rel not in up, f"{node}: related to its own ancestor {rel}"


# --------------------------------------------------------------------------- external links


def test_tasks_pwc_links_and_size() -> None:
    graph = load("tasks.ttl")
    assert 60 <= len(concepts(graph)) <= 130
    links = [(s, o) for s, p, o in graph if p in (SKOS.exactMatch, SKOS.closeMatch)]
    assert len(links) >= 40
    for subject, target in links:
        assert PWC_TASK.match(str(target)), (subject, target)
    qa = URIRef(BASE + "task/question-answering")
    assert (qa, SKOS.exactMatch, URIRef("https://linkedpaperswithcode.com/task/question-answering")) in graph
    roots = set(graph.subjects(SKOS.topConceptOf, None))
    assert len(roots) >= 8 and len(roots) < len(concepts(graph)) / 2, "tasks need a real hierarchy"
    for name in ("topics.ttl", "modalities.ttl", "access.ttl", "venues.ttl", "models.ttl",
                 "benchmarks.ttl"):
        for s, p, o in load(name):
            if p in (SKOS.exactMatch, SKOS.closeMatch):
                assert PWC_TASK.match(str(o)), (name, s, o)


@pytest.mark.parametrize("name", sorted(FILES))
def test_same_as_and_language_links(name: str) -> None:
    graph = load(name)
    for s, o in graph.subject_objects(OWL.sameAs):
        assert WIKIDATA.match(str(o)), (s, o)
    for s, o in graph.subject_objects(KGO.language):
        match = LEXVO.match(str(o))
        assert match, (s, o)
        assert pycountry.languages.get(alpha_3=match.group(1)) is not None, (s, o)


def test_benchmark_languages() -> None:
    graph = load("benchmarks.ttl")
    lang = {str(s).rsplit("/", 1)[1]: {str(o).rsplit("/", 1)[1] for o in graph.objects(s, KGO.language)}
            for s in concepts(graph)}
    assert lang["cmb"] == {"zho"}
    assert lang["medarabench"] == {"ara"}
    assert "eng" in lang["medqa"]
    assert (URIRef(BASE + "dataset/cmedqa2"), SKOS.broader, URIRef(BASE + "dataset/cmedqa")) in graph
    assert len(concepts(graph)) >= 40


def test_models_versions_have_families() -> None:
    graph = load("models.ttl")
    assert len(concepts(graph)) >= 50
    for child, parent in [("llama-3", "llama"), ("med-palm-2", "palm-2"), ("gpt-4o", "gpt"),
                          ("medgemma", "gemma-3"), ("llava-med", "llava")]:
        assert (URIRef(BASE + f"model/{child}"), SKOS.broader, URIRef(BASE + f"model/{parent}")) in graph
        assert (URIRef(BASE + f"model/{child}"), KGO.partOfFamily, URIRef(BASE + f"model/{parent}")) in graph
    for child, family in graph.subject_objects(KGO.partOfFamily):
        assert (child, SKOS.broader, family) in graph, (child, family)
        assert (family, RDF.type, KGO.Model) in graph, family


# --------------------------------------------------------------------------- seed catalog


def test_seed_topics_are_labelled_exactly_once() -> None:
    graph = load("topics.ttl")
    text = catalog_text()
    rests = [m.group(2) for m in re.finditer(r"论文[^\n]*?(\d{4}) 年([^\n]+)", text)]
    assert rests, "no 论文 headers found in the seed catalog"
    printed = {t for t in SEED_TOPICS if any(r.startswith(t + " ") for r in rests)}
    assert printed == SEED_TOPICS, "hard-coded seed topics no longer match the catalog"
    all_labels = {str(label) for node in concepts(graph) for label in labels(graph, node)}
    for rest in rests:  # every printed topic (also in future catalog files) is a label
        assert any(rest.startswith(label + " ") for label in all_labels), rest
    owners = label_owners(graph)
    for topic in SEED_TOPICS:
        assert topic in all_labels, f"{topic!r} is not a label (exact spelling)"
        assert len(owners[norm(topic)]) == 1, topic
    assert slug_of(graph, "临床 LLM") == "clinical-llm"
    assert slug_of(graph, "trustworthy medical AI") == "trustworthy-medical-ai"
    for en, zh in [("medical imaging", "医学影像"), ("medical QA", "医学问答"), ("clinical NLP", "临床 NLP"),
                   ("multimodal medical AI", "多模态医学 AI"), ("medical LLM", "医学 LLM"),
                   ("medical LLM evaluation", "医学 LLM 评测"), ("EHR", "电子病历"),
                   ("drug discovery", "药物发现")]:
        assert slug_of(graph, en) == slug_of(graph, zh), (en, zh)


def test_seed_resource_headers_have_access_and_modality_labels() -> None:
    headers = re.findall(r"数据资源([^\n]+)", catalog_text())
    assert headers
    access = label_owners(load("access.ttl"))
    modality = label_owners(load("modalities.ttl"))
    for header in headers:
        low = header.casefold()
        assert any(len(k) >= 2 and k in low for k in access if not k.isascii()), header
        # fields are glued together in headers ("QA textChinese ..."): only the left edge is a boundary
        assert any(re.search(rf"(?<![a-z0-9]){re.escape(k)}", low) for k in modality), header


def test_access_phrases() -> None:
    graph = load("access.ttl")
    expected = {
        "open": ["开放访问", "公开", "公开访问", "免费下载", "open access", "publicly available", "开源"],
        "restricted": ["申请访问", "需申请", "需申请访问", "申请后访问", "受限访问", "注册访问", "需注册",
                       "on request", "upon request", "data use agreement"],
        "credentialed": ["凭证访问", "需认证", "认证访问", "需凭证", "credentialed access",
                         "CITI training required"],
        "commercial": ["商业许可", "付费", "commercial license", "paid"],
        "unknown": ["unknown", "未知"],
    }
    assert {str(n).rsplit("/", 1)[1] for n in concepts(graph)} == set(expected)
    for slug, phrases in expected.items():
        for phrase in phrases:
            assert slug_of(graph, phrase) == slug, phrase


def test_seed_names_resolve() -> None:
    venues, models, benchmarks = load("venues.ttl"), load("models.ttl"), load("benchmarks.ttl")
    assert slug_of(venues, "ICLR") == "iclr"
    assert slug_of(venues, "Nature Medicine") == "nature-medicine"
    assert slug_of(venues, "arXiv") == "arxiv"
    assert (URIRef(BASE + "venue/arxiv"), RDF.type, KGO.Venue) in venues
    for name, slug in [("GPT-4", "gpt-4"), ("LLaMA 3", "llama-3"), ("Llama 3.1", "llama-3"),
                       ("Gemini", "gemini"), ("Med-PaLM 2", "med-palm-2"),
                       ("Med-PaLM Multimodal", "med-palm-m"), ("MedGemma", "medgemma"),
                       ("MedSigLIP", "medsiglip")]:
        assert slug_of(models, name) == slug, name
    for name, slug in [("CMB", "cmb"), ("cMedQA2", "cmedqa2"), ("CBLUE", "cblue"), ("MedHELM", "medhelm"),
                       ("HealthBench", "healthbench"), ("CounselChat", "counselchat"),
                       ("MedAraBench", "medarabench"), ("MedQA (USMLE)", "medqa")]:
        assert slug_of(benchmarks, name) == slug, name
    tasks = load("tasks.ttl")
    for name, slug in [("QA", "question-answering"), ("问答", "question-answering"),
                       ("NER", "named-entity-recognition"), ("命名实体识别", "named-entity-recognition"),
                       ("选择题", "multiple-choice-question-answering"), ("拒答", "abstention"),
                       ("特征归因", "feature-attribution"), ("lesion recognition", "lesion-detection"),
                       ("differential diagnosis", "differential-diagnosis"),
                       ("rationale generation", "rationale-generation"),
                       ("term normalization", "term-normalization"),
                       ("clinical trial classification", "clinical-trial-classification"),
                       ("sentence similarity", "semantic-textual-similarity")]:
        assert slug_of(tasks, name) == slug, name


# --------------------------------------------------------------------------- languages


@lru_cache(maxsize=1)
def language_graph() -> Graph:
    graph = Graph()
    for triple in languages.language_triples():
        graph.add(triple)
    return graph


def test_language_triples_cover_iso_639_3() -> None:
    graph = language_graph()
    nodes = set(graph.subjects(RDF.type, KGO.Language))
    assert len(nodes) > 7000
    assert nodes == set(graph.subjects(RDF.type, SKOS.Concept))
    scheme = URIRef(BASE + "scheme/languages")
    assert (scheme, RDF.type, SKOS.ConceptScheme) in graph
    for node in nodes:
        match = LEXVO.match(str(node))
        assert match, node
        assert (node, SKOS.notation, Literal(match.group(1))) in graph
        assert (node, SKOS.inScheme, scheme) in graph
        prefs = [p.language for p in graph.objects(node, SKOS.prefLabel)]
        assert "en" in prefs and len(prefs) == len(set(prefs)), node
    for code, zh, qid in [("zho", "中文", "Q7850"), ("ara", "阿拉伯语", "Q13955"), ("eng", "英语", "Q1860")]:
        node = URIRef(f"http://lexvo.org/id/iso639-3/{code}")
        assert (node, SKOS.prefLabel, Literal(zh, lang="zh")) in graph
        assert (node, OWL.sameAs, URIRef(f"http://www.wikidata.org/entity/{qid}")) in graph
    zho = URIRef("http://lexvo.org/id/iso639-3/zho")
    assert (zho, SKOS.altLabel, Literal("汉语", lang="zh")) in graph
    for s, o in graph.subject_objects(OWL.sameAs):
        assert WIKIDATA.match(str(o)), (s, o)
    qids = [entry.wikidata for entry in languages.COMMON_LANGUAGES if entry.wikidata]
    assert len(qids) == len(set(qids)) >= 40
    for entry in languages.COMMON_LANGUAGES:
        assert pycountry.languages.get(alpha_3=entry.code) is not None, entry.code


def test_language_index() -> None:
    languages._index.cache_clear()
    start = time.perf_counter()
    index = languages.language_index()
    assert time.perf_counter() - start < 1.0, "language index must build in well under a second"
    assert languages.language_index() is index, "index is cached"
    for name, code in [("Arabic", "ara"), ("阿拉伯语", "ara"), ("Chinese", "zho"), ("中文", "zho"),
                       ("汉语", "zho"), ("Mandarin", "zho"), ("English", "eng"), ("英语", "eng"),
                       ("Spanish", "spa"), ("西班牙语", "spa"), ("Cantonese", "yue"), ("Malay", "msa"),
                       ("Greek", "ell"), ("Japanese", "jpn"), ("korean", "kor")]:
        assert index[name.casefold()] == code, name
        assert languages.language_code(f"  {name} ") == code, name
    assert "cmn" not in set(index.values())
    assert languages.language_code("Arabic language") == "ara"
    assert languages.language_code("not a language") is None
    assert all(key == key.casefold() for key in index)
