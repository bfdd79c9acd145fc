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


# ---------------------------------------------------------------- unseen entries

PAPER = "论文ICLR 2026 Poster2026 年medical QA "


def link_one(header: str, description: str):  # noqa: ANN201
    return link(parse_header(header, description))


def test_version_numbers_do_not_end_a_sentence() -> None:
    """"Qwen2.5" and "Llama 3.1" are not sentence ends: the models are Qwen2.5 and Llama 3, evaluated."""
    got = link_one(PAPER + "JMedBench:日语医学大模型评测基准",
                   "We introduce JMedBench, a Japanese medical benchmark. We evaluate GPT-4o, Qwen2.5-72B "
                   "and Llama 3.1 and find a large gap.")
    assert objects(got, "evaluates") == {"gpt-4o", "qwen-2-5", "llama-3"}
    assert objects(got, "mentions") == set()


def test_language_pairs_and_words_that_are_not_languages() -> None:
    got = link_one("论文Nature Communications2025 年临床 LLM 双语医学大模型",
                   "We release a bilingual English-Chinese medical language model.")
    assert objects(got, "language") == {"eng", "zho"}
    got = link_one("数据资源中英双语病历Clinical NER dataset1,200 notes开放访问 BiNER:临床实体数据集",
                   "BiNER 是一个临床命名实体识别数据集。")
    assert objects(got, "language") == {"eng", "zho"}
    got = link_one("论文Nature Medicine2025 年traditional Chinese medicine 中医舌诊",
                   "We develop TongueGPT, a model for traditional Chinese medicine tongue diagnosis, read Arabic "
                   "numerals on prescriptions and test it on Korean patients from Latin America.")
    # patients' nationality is kept as a clue to the language of their records
    assert objects(got, "language") == {"kor"}


def test_languages_of_sentences_about_other_work_are_not_the_entrys() -> None:
    got = link_one(PAPER + "JMedBench:日语医学大模型评测基准",
                   "Large language models are mostly evaluated in English. We introduce JMedBench, a benchmark "
                   "of Japanese medical licensing examination questions.")
    assert objects(got, "language") == {"jpn"}
    got = link_one("论文ACL 2025 Long2025 年clinical NLP 非英语临床文本的去标识化",
                   "We present a de-identification benchmark of German and Dutch clinical notes.")
    assert objects(got, "language") == {"deu", "nld"}


def test_negated_tasks_and_datasets() -> None:
    """"does not use multiple-choice questions", 不做选择题, 不包含问答标注: none of these is a task."""
    got = link_one(PAPER + "不做选择题的开放式医学问答评测",
                   "Unlike MedMCQA, our benchmark does not use multiple-choice questions. We introduce "
                   "OpenMedEval, an open-ended benchmark in which models write free-text answers.")
    assert objects(got, "addressesTask") == {"open-ended-question-answering"}
    assert objects(got, "usesDataset") == set() and objects(got, "mentions") == {"medmcqa"}
    got = link_one("数据资源医学影像与报告Chinese radiology report dataset50,000 份报告受限访问 "
                   "CN-CTRG:中文胸部CT报告生成数据集",
                   "CN-CTRG 是一个中文胸部 CT 报告生成数据集，不包含问答标注。")
    assert objects(got, "addressesTask") == {"report-generation"}


def test_datasets_named_about_other_work_are_mentioned_not_used() -> None:
    got = link_one("论文NeurIPS 2025 Datasets and Benchmarks2025 年medical LLM agent EHRAgentBench:临床智能体评测基准",
                   "Existing benchmarks such as MedQA and PubMedQA focus on static questions. We introduce "
                   "EHRAgentBench, a benchmark of 300 interactive tasks, built from MIMIC-IV.")
    assert objects(got, "usesDataset") == {"mimic-iv"}
    assert {"medqa", "pubmedqa"} <= objects(got, "mentions")


def test_a_sentence_about_the_entrys_own_work_counts_despite_existing() -> None:
    got = link_one("Large Language Models Encode Clinical Knowledge",
                   "This paper introduces MultiMedQA, a benchmark combining six existing medical question "
                   "answering datasets, and HealthSearchQA, a new dataset of commonly searched health questions, "
                   "and evaluates Flan-PaLM and Med-PaLM.")
    assert objects(got, "introduces") == {"multimedqa", "healthsearchqa"}
    assert objects(got, "evaluates") == {"flan-palm", "med-palm"}
    assert "question-answering" in objects(got, "addressesTask")


def test_chinese_description_introduces_and_evaluates() -> None:
    got = link_one("论文ACL 2025 Long2025 年medical QA 中文医学对话大模型",
                   "本文提出了一个基于 Baichuan2-13B 的中文医疗对话模型 ZhongJing，"
                   "在多轮问诊任务上优于华佗GPT和 ChatGPT。")
    assert objects(got, "introduces") == {"zhongjing"}
    assert all("Model" in n.classes for n in got.nodes if n.iri.endswith("/zhongjing"))
    assert objects(got, "evaluates") == {"huatuogpt", "chatgpt"}  # 华佗GPT is HuatuoGPT, not GPT
    assert objects(got, "mentions") == {"baichuan"}  # the base model is not evaluated


def test_a_model_entry_evaluates_nothing() -> None:
    got = link_one("数据资源Text and medical imagesModelMedGemma 27B multimodal checkpoint开放访问 "
                   "MedGemma 27B 多模态模型",
                   "MedGemma 27B is an open multimodal model built on Gemma 3 and evaluated on MedQA.")
    assert objects(got, "evaluates") == set() and "gemma-3" in objects(got, "mentions")


def test_medical_words_that_look_like_model_names() -> None:
    got = link_one("论文Radiology2025 年medical imaging 胸椎骨折检测",
                   "We evaluate a network that detects fractures between T5 and L1 and applies Virchow's triad.")
    assert objects(got, "evaluates") == set() and objects(got, "mentions") == set()


def test_what_is_introduced_after_a_second_verb_and_its_kind() -> None:
    got = link_one("论文MICCAI 2025 Poster2025 年medical imaging 息肉分割",
                   "We adapt the Segment Anything Model to colonoscopy and propose PolypSAM, a prompt-free adapter "
                   "for polyp segmentation, evaluated on Kvasir-SEG and CVC-ClinicDB.")
    assert objects(got, "introduces") == {"polypsam"}
    assert objects(got, "usesDataset") == {"kvasir-seg", "cvc-clinicdb"}
    got = link_one("论文MICCAI 2025 Poster2025 年medical imaging 甲状腺结节分割",
                   "We propose SpeckleNet, a denoising-aware U-Net variant, and evaluate it on two datasets.")
    assert [n.classes for n in got.nodes if n.iri.endswith("/specklenet")] == [["Method"]]


def test_review_findings_on_sentences_negation_and_introductions() -> None:
    """Shapes a review found after the linker changes above: each is linked as before them."""
    # a citation mark or a closing quote after the full stop ends the sentence
    got = link_one(PAPER + "RadSum:放射报告摘要", "Existing benchmarks focus on question answering.[1] We introduce "
                   "RadSum, a benchmark for radiology report summarization evaluated with GPT-4.")
    assert objects(got, "evaluates", "https://w3id.org/medkg/id/paper/radsum") == {"gpt-4"}
    # "no X exists" and "not limited to" negate nothing
    got = link_one(PAPER + "AraMed:阿拉伯语医学基准", "Despite progress, no Arabic medical benchmark exists. We "
                   "introduce AraMed, a benchmark including but not limited to question answering.")
    assert objects(got, "language") == {"ara"}
    assert "question-answering" in objects(got, "addressesTask") | objects(got, "addressesTask",
                                                                              "https://w3id.org/medkg/id/dataset/aramed")
    # an appositive inside the first item's clause introduces nothing; the model stays evaluated
    got = link_one(PAPER + "MedEval:医学评测", "We introduce MedEval, a benchmark that compares Gemini and GPT-4, "
                   "a proprietary model, on 5 tasks.")
    assert objects(got, "introduces") == {"medeval"}
    assert objects(got, "evaluates") == {"gemini", "gpt-4"}
    # a number is no name; after 提出 X， only an appositive says what X is
    got = link_one(PAPER + "医学问答", "我们构建了一个数据集 20000 条医学问答。")
    assert not objects(got, "introduces")
    got = link_one(PAPER + "MedX:医学研究", "本文提出 MedX，并在三个公开数据集上进行了评测。")
    assert {n.iri.rsplit("/", 2)[-2] for n in got.nodes if n.iri.endswith("/medx")} == {"method", "paper"}
    # "performed by" is not an evaluation
    got = link_one(PAPER + "RadAnn:报告标注", "We release RadAnn, a dataset of radiology reports. Pre-annotation "
                   "was performed by GPT-4 and verified by radiologists.")
    assert "gpt-4" not in objects(got, "evaluates")
