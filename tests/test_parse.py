"""The parser's contract (``kg parse``): every field of every seed entry, and entries of the same
format that are not in the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.parse import CONTRACT_KEYS, Entry, parse_header, parse_paths

from .conftest import CATALOG, ROOT, SEED_FILES

DATA = Path(__file__).parent / "data"


def expected(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text("utf-8").splitlines()]


def parsed(paths: list[Path]) -> list[dict]:
    out = []
    for e in parse_paths(paths):
        assert isinstance(e, Entry), str(e)
        d = e.to_json()
        d["source"]["path"] = Path(d["source"]["path"]).name
        out.append(d)
    return out


@pytest.mark.parametrize("i", range(15))
def test_every_seed_entry_every_field(i: int, in_root: Path) -> None:
    want = expected("seed_expected.jsonl")[i]
    want["source"]["path"] = Path(want["source"]["path"]).name
    assert parsed(SEED_FILES)[i] == want


def test_seed_catalog_has_fifteen_entries_and_no_rejects() -> None:
    results = list(parse_paths([CATALOG]))
    assert len(results) == 15
    assert all(isinstance(r, Entry) for r in results)


def test_contract_keys_in_order(in_root: Path) -> None:
    for d in parsed(SEED_FILES):
        assert tuple(d) == CONTRACT_KEYS
        assert set(d["source"]) == {"path", "line"}


def test_seed_highlights(in_root: Path) -> None:
    by_line = {(d["source"]["path"][:3], d["source"]["line"]): d for d in parsed(SEED_FILES)}
    liveclin = by_line[("000", 3)]
    assert (liveclin["title"], liveclin["name"], liveclin["venue"], liveclin["track"]) == (
        "LiveClin:无泄漏的实时临床基准", "LiveClin", "ICLR 2026", "Poster")
    assert liveclin["links"] == ["https://github.com/AQ-MedAI/LiveClin"]
    assert "Code/project link" not in liveclin["description"]
    nature = by_line[("003", 9)]
    assert (nature["venue"], nature["track"], nature["year"], nature["topic"], nature["name"]) == (
        "Nature Medicine", None, 2025, "临床 LLM", None)
    medgemma = by_line[("003", 19)]
    assert (medgemma["modality"], medgemma["resource_type"], medgemma["scale"]) == (
        "Text and medical images", "Model", "MedGemma / MedSigLIP model family")
    assert medgemma["name"] == "MedGemma / MedSigLIP"
    cmedqa = by_line[("003", 11)]
    assert cmedqa["scale"] == "Updated cMedQA dataset; see official repository"
    bare = by_line[("003", 7)]
    assert (bare["kind"], bare["title"], bare["name"], bare["year"]) == (
        "unknown", "迈向通用生物医学 AI", None, None)


@pytest.mark.parametrize("i", range(12))
def test_unseen_entries_of_the_same_format(i: int) -> None:
    """Entries written for this test, not in the catalog: NAACL 20242024, full-width colons,
    Chinese topics, multi-word tracks, digits glued to types, names with inner capitals."""
    want = expected("unseen_expected.jsonl")[i]
    want["source"]["path"] = "unseen.txt"
    assert parsed([DATA / "unseen.txt"])[i] == want


def test_unseen_highlights() -> None:
    got = {d["title"]: d for d in parsed([DATA / "unseen.txt"])}
    naacl = got["MedNLI-X：临床自然语言推理的扩展"]
    assert (naacl["venue"], naacl["year"], naacl["topic"], naacl["name"]) == (
        "NAACL 2024", 2024, "clinical NLP", "MedNLI-X")
    cxr = got["MIMIC-CXR:胸部 X 光影像与报告数据集"]
    assert (cxr["modality"], cxr["resource_type"], cxr["scale"], cxr["access"]) == (
        "Chest X-ray images and reports", "Imaging dataset", "377,110 images; see PhysioNet", "凭证访问")
    pubmedqa = got["PubMedQA:生物医学文献问答数据集"]
    assert pubmedqa["modality"] == "PubMed abstracts"  # not "Pub" + "Med abstracts"
    spot = got["Med-PaLM 2: 迈向专家级医学问答"]
    assert (spot["topic"], spot["name"], spot["track"]) == ("trustworthy medical AI", "Med-PaLM 2", "Spotlight")


@pytest.mark.parametrize(
    ("header", "field", "value"),
    [
        ("论文ICLR 2026 Poster2026 年trustworthy medical AI LiveClin:无泄漏的实时临床基准", "topic",
         "trustworthy medical AI"),
        ("论文ICML 2025 Oral2025 年clinical prediction 能否预测?", "track", "Oral"),
        ("论文MICCAI 20252025 年medical image segmentation 基于扩散模型的病灶分割", "venue", "MICCAI 2025"),
        # a venue with a year ends at the year; a known journal keeps its last word
        ("论文MICCAI 2025 Early Accept2025 年medical imaging UltraSAM：超声影像通用分割模型", "track", "Early Accept"),
        ("论文MICCAI 2025 Early Accept2025 年medical imaging UltraSAM：超声影像通用分割模型", "venue", "MICCAI 2025"),
        ("论文CHIL 2025 (Poster)2025 年clinical prediction 基于对比学习的 ICU 再入院预测", "track", "Poster"),
        ("论文Medical Image Analysis2025 年医学影像 面向多中心 MRI 的域泛化分割", "venue", "Medical Image Analysis"),
        ("论文Medical Image Analysis2025 年医学影像 面向多中心 MRI 的域泛化分割", "track", None),
        ("论文Nature Medicine2025 年临床 LLM 面向专家级医学问答的大语言模型", "title",
         "面向专家级医学问答的大语言模型"),
        ("数据资源TextLLM evaluation benchmarkHealth AI evaluation benchmark开放访问 HealthBench 健康 AI 评测基准",
         "scale", "Health AI evaluation benchmark"),
        ("数据资源Chinese biomedical and clinical textChinese biomedical NLP benchmark8 biomedical NLU tasks; "
         "see official repository开放访问 CBLUE:中文生物医学语言理解评测基准", "resource_type",
         "Chinese biomedical NLP benchmark"),
        ("数据资源EHR and clinical notesClinical database300k+ admissions申请访问 MIMIC-IV", "name", "MIMIC-IV"),
        ("数据资源Radiology images (CT/MRI)Segmentation benchmark10 tasks开放访问 MSD:医学分割十项全能",
         "modality", "Radiology images (CT/MRI)"),
        # a scale opened by a sign, glued to the type
        ("数据资源Electronic health recordsClinical database>40,000 ICU patients需申请 MIMIC-IV 重症监护数据库",
         "scale", ">40,000 ICU patients"),
        ("数据资源Medical dialoguesDialogue dataset~3.4M conversations开放访问 MedDialog:医患对话数据集",
         "resource_type", "Dialogue dataset"),
        # an access word inside the scale, after a space, is not the access phrase glued to it
        ("数据资源Radiology images and reportsImage-text dataset377,110 images; credentialed access需申请 "
         "MIMIC-CXR 胸部 X 光数据集", "access", "需申请"),
        ("数据资源Radiology images and reportsImage-text dataset377,110 images; credentialed access需申请 "
         "MIMIC-CXR 胸部 X 光数据集", "name", "MIMIC-CXR"),
        # "需" (requires) before a known phrase is part of it, not the end of the scale
        ("数据资源Clinical notesNER corpus2,000 annotated notes; see n2c2 portal需注册访问 n2c2 2018 Track 2",
         "scale", "2,000 annotated notes; see n2c2 portal"),
        ("数据资源Clinical notesNER corpus2,000 annotated notes; see n2c2 portal需注册访问 n2c2 2018 Track 2",
         "access", "需注册访问"),
        # a scale glued after a closing full-width bracket
        ("数据资源Multilingual medical textQA benchmark（多语言）6 languages, 25k questions开放获取 MMedBench",
         "resource_type", "QA benchmark（多语言）"),
        ("数据资源Multilingual medical textQA benchmark（多语言）6 languages, 25k questions开放获取 MMedBench",
         "scale", "6 languages, 25k questions"),
        # all-Chinese middles: a type head opens the type; a conjunction or a second modality head
        # does not end the modality
        ("数据资源中文医学知识知识图谱约 4.4 万实体开放访问 CMeKG 中文医学知识图谱", "modality", "中文医学知识"),
        ("数据资源中文医学知识知识图谱约 4.4 万实体开放访问 CMeKG 中文医学知识图谱", "resource_type", "知识图谱"),
        ("数据资源中文医学知识知识图谱约 4.4 万实体开放访问 CMeKG 中文医学知识图谱", "scale", "约 4.4 万实体"),
        ("数据资源医学影像与报告多模态数据集50 万张图像开放访问 ROCOv2：放射学图像-描述数据集", "modality",
         "医学影像与报告"),
        ("数据资源医学影像与报告多模态数据集50 万张图像开放访问 ROCOv2：放射学图像-描述数据集", "resource_type",
         "多模态数据集"),
        ("数据资源病理全切片图像病理基础模型10 万张 WSI商业授权 Virchow2 病理大模型", "modality", "病理全切片图像"),
        ("数据资源心电图信号分类数据集10 万条记录开放访问 ECG-X", "resource_type", "分类数据集"),
        ("数据资源中文医学文本问答数据集约 5 万条问答对开放访问 Huatuo-26M 中文医学问答", "resource_type",
         "问答数据集"),
        # a sign and a space open the scale
        ("数据资源Dermatology photosClassification dataset≈ 10k images仅研究用途 Fitzpatrick17k", "scale",
         "≈ 10k images"),
        # a name before a full-width bracket
        ("数据资源Medical examsQA benchmark12,723 questions (USMLE, MCMLE, TWMLE)开放访问 MedQA（USMLE）", "name",
         "MedQA"),
        # a bare title is the work itself: no name (a name would make the work introduce it)
        ("BiomedGPT", "name", None),
        ("Med-PaLM 2", "name", None),
        ("医学多模态大模型综述：进展与挑战", "name", None),
    ],
)
def test_single_headers(header: str, field: str, value: object) -> None:
    assert getattr(parse_header(header), field) == value


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("论文ICLR 2026 Poster trustworthy medical AI X:标题", "no '<year> 年' field"),
        ("论文2026 年trustworthy medical AI X:标题", "no venue"),
        ("论文ICLR 2026 Poster2026 年", "no topic and title"),
        ("数据资源TextLLM benchmarkBenchmark and leaderboard MedHELM", "no access phrase"),
        ("数据资源text only here开放访问 X", "cannot split modality"),
    ],
)
def test_headers_that_cannot_be_split_say_why(header: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_header(header)


@pytest.mark.parametrize(
    ("header", "topic", "name", "title"),
    [
        # a topic that extends a known one: a plain lower-case word does not start a title
        ("论文ICLR 2026 Poster2026 年surgical video understanding 手术视频中的器械检测",
         "surgical video understanding", None, "手术视频中的器械检测"),
        ("论文ICLR 2026 Spotlight2026 年genomics foundation models DNA sequence modelling at scale",
         "genomics foundation models", None, "DNA sequence modelling at scale"),
        # a generic acronym ends the topic, not starts the name
        ("论文ICLR 2026 Poster2026 年mental health LLM PsyQA-Bench：心理咨询问答基准",
         "mental health LLM", "PsyQA-Bench", "PsyQA-Bench：心理咨询问答基准"),
        ("论文ICLR 2026 Poster2026 年federated health learning FedMed: Privacy-preserving training",
         "federated health learning", "FedMed", "FedMed: Privacy-preserving training"),
        ("论文ICLR 2026 Poster2026 年生物医学知识图谱 BioKGBench: A Knowledge Graph Checking Benchmark",
         "生物医学知识图谱", "BioKGBench", "BioKGBench: A Knowledge Graph Checking Benchmark"),
        # not names: a dimension, a quoted question
        ("论文ICLR 2026 Poster2026 年医学 VLM 3D 医学影像的视觉问答", "医学 VLM", None, "3D 医学影像的视觉问答"),
        ("论文ICLR 2026 Oral2026 年clinical NLP \"Doctor, is it serious?\": Patient question answering",
         "clinical NLP", None, "\"Doctor, is it serious?\": Patient question answering"),
        ("论文MICCAI 20252025 年medical imaging 2D-to-3D 病灶分割的半监督方法", "medical imaging", None,
         "2D-to-3D 病灶分割的半监督方法"),
        # a name with a lower-case prefix (mHealth, eICU, iPhone) starts the title
        ("论文KDD 20252025 年EHR representation learning eICU 上的跨医院迁移学习", "EHR representation learning",
         "eICU", "eICU 上的跨医院迁移学习"),
        ("论文ML4H 20242024 年wearable sensing iPhone-based gait analysis for Parkinson's disease",
         "wearable sensing", None, "iPhone-based gait analysis for Parkinson's disease"),
        ("论文CHIL 20252025 年health equity mHealth apps and disparities in chronic disease management",
         "health equity", None, "mHealth apps and disparities in chronic disease management"),
        # a versioned upper-case name after lower-case topic words starts the title
        ("论文ML4H 2025 Findings2025 年EHR foundation models CLMBR-T 在院外数据上的迁移", "EHR foundation models",
         "CLMBR-T", "CLMBR-T 在院外数据上的迁移"),
        # a task acronym ends the topic
        ("论文AAAI 2026 Oral2026 年medical VQA PathVQA-X: Explainable pathology visual question answering",
         "medical VQA", "PathVQA-X", "PathVQA-X: Explainable pathology visual question answering"),
        # biomedical terms of a brand's or a versioned name's shape end a topic: no name, nothing introduced
        ("论文Nature Medicine2025 年long COVID-19 基于电子病历的长新冠表型分析", "long COVID-19", None,
         "基于电子病历的长新冠表型分析"),
        ("论文ICLR 2026 Poster2026 年drug resistance HIV-1 耐药突变预测", "drug resistance HIV-1", None,
         "耐药突变预测"),
        ("论文Nature Medicine2025 年liquid biopsy cfDNA 早期癌症多癌种筛查", "liquid biopsy cfDNA", None,
         "早期癌症多癌种筛查"),
        ("论文ICLR 2026 Poster2026 年spatial transcriptomics scRNA-seq 细胞类型注释",
         "spatial transcriptomics scRNA-seq", None, "细胞类型注释"),
    ],
)
def test_unseen_topics(header: str, topic: str, name: str | None, title: str) -> None:
    """Topics that occur once and are not in the vocabulary: the split rests on how titles start."""
    f = parse_header(header)
    assert (f.topic, f.name, f.title) == (topic, name, title)


def test_a_recurring_one_word_prefix_does_not_cut_a_task_acronym_off_the_topic() -> None:
    """"medical" opens many topics of a catalog; "medical VQA" is still the topic of this entry."""
    from kg.parse import Evidence

    ev = Evidence.default()
    for h in ("论文NeurIPS 2025 Poster2025 年medical reinforcement learning 1000 steps to a better reasoner",
              "论文ICLR 2026 Poster2026 年medical imaging 3D-MedVLM: 三维医学影像视觉语言模型",
              "论文MIDL 20252025 年medical segmentation 面向低资源场景的分割"):
        ev.observe(h, "A paper.")
    e = parse_header("论文AAAI 2026 Oral2026 年medical VQA PathVQA-X: Explainable pathology VQA", evidence=ev)
    assert (e.topic, e.name) == ("medical VQA", "PathVQA-X")


def test_ambiguous_split_is_reported_as_a_guess() -> None:
    e = parse_header("论文ICLR 2026 Poster2026 年brand new area Zeta 方法研究")
    assert e.guesses and "guessed" in e.guesses[0]


def test_parse_is_order_independent(tmp_path: Path) -> None:
    """Evidence is catalog-wide, but the fields of an entry do not depend on entry order."""
    lines = (ROOT / "data/catalog/003_b91fc50fb6a4089c.txt").read_text("utf-8").splitlines()
    pairs = [lines[i:i + 2] for i in range(0, len(lines), 2)]
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("\n".join(x for p in pairs for x in p) + "\n", "utf-8")
    b.write_text("\n".join(x for p in reversed(pairs) for x in p) + "\n", "utf-8")

    def key(d: dict) -> str:
        return d["title"]

    strip = [{k: v for k, v in d.items() if k != "source"} for d in parsed([a])]
    strip_b = [{k: v for k, v in d.items() if k != "source"} for d in parsed([b])]
    assert sorted(strip, key=key) == sorted(strip_b, key=key)
