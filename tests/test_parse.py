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
    ],
)
def test_unseen_topics(header: str, topic: str, name: str | None, title: str) -> None:
    """Topics that occur once and are not in the vocabulary: the split rests on how titles start."""
    f = parse_header(header)
    assert (f.topic, f.name, f.title) == (topic, name, title)


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
