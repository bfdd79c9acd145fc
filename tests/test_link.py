"""Linking on the seed catalog: what each entry introduces, covers, addresses and evaluates;
one node per real thing; and the questions users ask, in SPARQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ingest import ingest
from kg.link import link
from kg.link.resolve import name_key, resolve
from kg.parse import Entry, parse_header, parse_paths
from kg.store import open_store

from .conftest import CATALOG, rows

KGO = "https://w3id.org/medkg/ontology#"


@pytest.fixture(scope="module")
def linked() -> dict[str, object]:
    out = {}
    for e in parse_paths([CATALOG]):
        assert isinstance(e, Entry)
        out[e.name or e.title] = link(e)
    return out


def objects(linked_entry, pred: str, subject: str | None = None) -> set[str]:  # noqa: ANN001
    s = subject or linked_entry.main.iri
    return {e.object.rsplit("/", 1)[-1] for e in linked_entry.edges if e.subject == s and e.predicate == KGO + pred}


INTRODUCES = {
    "LiveClin": {"liveclin"},
    "Cancer-Myth": {"cancer-myth"},
    "MedAraBench": {"medarabench"},
    "CounselBench": {"counselbench"},
    "KnowGuard": {"knowguard"},
    "特征归因解释中的缺失偏倚校准": {"mcal"},
    "能否用 LLM 为临床时间序列数据生成可迁移表征?": {"neural-medbench"},
}


@pytest.mark.parametrize("key", sorted(INTRODUCES))
def test_what_each_paper_introduces(linked, key: str) -> None:  # noqa: ANN001
    assert objects(linked[key], "introduces") == INTRODUCES[key]


@pytest.mark.parametrize(
    ("key", "cls"),
    [("LiveClin", "Benchmark"), ("CounselBench", "Benchmark"), ("MedAraBench", "Benchmark"),
     ("KnowGuard", "Method"), ("特征归因解释中的缺失偏倚校准", "Method"),
     ("能否用 LLM 为临床时间序列数据生成可迁移表征?", "Benchmark")],
)
def test_introduced_things_have_the_right_class(linked, key: str, cls: str) -> None:  # noqa: ANN001
    entry = linked[key]
    intro = [e.object for e in entry.edges if e.predicate == KGO + "introduces"]
    nodes = [n for n in entry.nodes if n.iri in intro]
    assert nodes and all(cls in n.classes for n in nodes)


LANGUAGES = {
    "CMB": {"zho"}, "cMedQA2": {"zho"}, "CBLUE": {"zho"}, "MedAraBench": {"ara"},
    "LiveClin": set(), "HealthBench": set(), "MedGemma / MedSigLIP": set(),
}


@pytest.mark.parametrize("key", sorted(LANGUAGES))
def test_languages_named_in_each_entry(linked, key: str) -> None:  # noqa: ANN001
    assert objects(linked[key], "language") == LANGUAGES[key]


def test_introduced_dataset_inherits_the_papers_language(linked) -> None:  # noqa: ANN001
    entry = linked["MedAraBench"]
    bench = next(e.object for e in entry.edges if e.predicate == KGO + "introduces")
    assert objects(entry, "language", bench) == {"ara"}


TASKS = {
    "CBLUE": {"named-entity-recognition", "relation-extraction", "term-normalization",
              "clinical-trial-classification", "semantic-textual-similarity", "question-answering"},
    "能否用 LLM 为临床时间序列数据生成可迁移表征?": {"differential-diagnosis", "lesion-detection",
                                            "rationale-generation"},
    "KnowGuard": {"abstention"},
    "MedAraBench": {"multiple-choice-question-answering"},
    "特征归因解释中的缺失偏倚校准": {"feature-attribution"},
}


@pytest.mark.parametrize("key", sorted(TASKS))
def test_tasks_addressed(linked, key: str) -> None:  # noqa: ANN001
    assert TASKS[key] <= objects(linked[key], "addressesTask")


def test_models_evaluated(linked) -> None:  # noqa: ANN001
    counsel = linked["CounselBench"]
    bench = next(e.object for e in counsel.edges if e.predicate == KGO + "introduces")
    assert objects(counsel, "evaluates", bench) == {"gpt-4", "llama-3", "gemini"}
    assert objects(counsel, "evaluates") == {"gpt-4", "llama-3", "gemini"}
    assert objects(linked["面向专家级医学问答的大语言模型"], "evaluates") == {"med-palm-2"}
    assert objects(linked["迈向通用生物医学 AI"], "evaluates") == {"med-palm-m"}


def test_prior_work_sentences_do_not_give_tasks(linked) -> None:  # noqa: ANN001
    """CounselBench's abstract says *existing* QA benchmarks focus on multiple-choice."""
    assert "multiple-choice-question-answering" not in objects(linked["CounselBench"], "addressesTask")


def test_model_family_is_two_models(linked) -> None:  # noqa: ANN001
    fam = linked["MedGemma / MedSigLIP"]
    members = {e.subject.rsplit("/", 1)[-1] for e in fam.edges if e.predicate == KGO + "partOfFamily"}
    assert members == {"medgemma", "medsiglip"}
    assert all("Model" in n.classes for n in fam.nodes if n.iri.rsplit("/", 1)[-1] in members)


def test_mention_of_an_earlier_version_is_not_a_second_node(linked) -> None:  # noqa: ANN001
    """"Updated cMedQA dataset" inside the cMedQA2 entry is cMedQA2 itself, not a new link."""
    entry = linked["cMedQA2"]
    assert not any(e.object.endswith("/cmedqa") for e in entry.edges)


# ---------------------------------------------------------------- resolution


def test_name_key_normalisation() -> None:
    assert name_key("Neural-MedBench") == name_key("neural medbench") == name_key("ＮＥＵＲＡＬ＿ＭＥＤＢＥＮＣＨ")
    assert name_key("Med-PaLM 2") == name_key("Med-PaLM2")


def test_same_name_different_family_stays_apart() -> None:
    assert resolve("Zeta", "method")[0] != resolve("Zeta", "dataset")[0]
    assert resolve("Zeta-Bench", "dataset")[0] == resolve("zeta bench", "dataset")[0]


def test_resource_entry_and_introducing_paper_are_one_node(tmp_path: Path) -> None:
    """A paper introducing 'NovaMedQA' and the 'Nova-MedQA' resource entry: one dataset node."""
    cat = tmp_path / "c.txt"
    cat.write_text(
        "论文ACL 2025 Main2025 年medical QA NovaMedQA:新的医学问答数据集\n"
        "ACL 2025 paper. We introduce NovaMedQA, a Korean medical question answering dataset.\n"
        "数据资源Korean medical exam textQA dataset5,000 questions开放访问 Nova-MedQA:韩语医学问答数据集\n"
        "Nova-MedQA is a Korean medical QA dataset built from licensing exams.\n", "utf-8")
    store = open_store(str(tmp_path / "s"))
    ingest([cat], store)
    got = rows(store, """SELECT DISTINCT ?d ?paper ?lang WHERE {
        ?p kgo:introduces ?d ; rdfs:label ?paper . ?rec kgo:describes ?d . ?d kgo:language ?lang }""")
    store.close()
    assert got == [{"d": "https://w3id.org/medkg/id/dataset/novamedqa", "paper": "NovaMedQA",
                    "lang": "http://lexvo.org/id/iso639-3/kor"}]


def test_unseen_entry_links_languages_from_a_list() -> None:
    e = parse_header("数据资源Multilingual medical QAMultiple-choice benchmark6 languages开放访问 "
                     "MMedBench:多语言医学问答基准",
                     "MMedBench covers six languages: English, Chinese, Japanese, French, Russian and Spanish.")
    langs = {x.object.rsplit("/", 1)[-1] for x in link(e).edges if x.predicate == KGO + "language"}
    assert langs == {"eng", "zho", "jpn", "fra", "rus", "spa"}


# ---------------------------------------------------------------- questions on the seed graph


def test_benchmarks_covering_chinese(seed_store) -> None:  # noqa: ANN001
    got = rows(seed_store, """SELECT DISTINCT ?name WHERE {
        ?b a kgo:Benchmark ; kgo:language lexvo:zho ; rdfs:label ?name ; prov:wasDerivedFrom ?rec }
        ORDER BY ?name""")
    assert [r["name"] for r in got] == ["CBLUE", "CMB"]


def test_iclr_2026_trustworthy_papers_with_what_they_introduce(seed_store) -> None:  # noqa: ANN001
    got = rows(seed_store, """SELECT DISTINCT ?paper ?thing ?cls WHERE {
        ?p a kgo:Paper ; kgo:publishedIn/rdfs:label "ICLR 2026" ; kgo:hasTopic ?t ; rdfs:label ?paper ;
           kgo:introduces ?x .
        ?t skos:prefLabel "trustworthy medical AI"@en .
        ?x rdfs:label ?thing ; a ?c . VALUES ?c { kgo:Benchmark kgo:Method }
        BIND(STRAFTER(STR(?c), "#") AS ?cls) } ORDER BY ?thing""")
    assert [(r["thing"], r["cls"]) for r in got] == [
        ("Cancer-Myth", "Benchmark"), ("LiveClin", "Benchmark"), ("MCal", "Method")]


def test_models_evaluated_by_counselbench(seed_store) -> None:  # noqa: ANN001
    got = rows(seed_store, """SELECT DISTINCT ?m WHERE {
        ?b a kgo:Benchmark ; rdfs:label "CounselBench" ; kgo:evaluates ?model .
        ?model skos:prefLabel ?m FILTER(LANG(?m) = "en") } ORDER BY ?m""")
    assert [r["m"] for r in got] == ["GPT-4", "Gemini", "LLaMA 3"]


def test_open_arabic_or_chinese_qa_benchmarks(seed_store) -> None:  # noqa: ANN001
    """The brief's first question: which open benchmarks test Arabic or Chinese medical QA?"""
    got = rows(seed_store, """SELECT DISTINCT ?name WHERE {
        ?b a kgo:Benchmark ; rdfs:label ?name ; kgo:language ?l ; kgo:addressesTask ?task ;
           prov:wasDerivedFrom ?rec .
        VALUES ?l { lexvo:ara lexvo:zho }
        ?task skos:broader* task:question-answering .
        OPTIONAL { ?b kgo:accessRights ?a }
        FILTER(!BOUND(?a) || ?a = access:open) } ORDER BY ?name""")
    assert [r["name"] for r in got] == ["CBLUE", "CMB", "MedAraBench"]
