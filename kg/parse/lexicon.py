"""What the parser knows before it sees a catalog: the words that close or open header fields.

These are facts about the catalog format (its kind prefixes, track names, access phrases) and about
English/Chinese field vocabulary, not about particular entries. Topics and names are learned from
the vocabularies in ``data/vocab`` and from the catalog itself (:mod:`kg.parse.evidence`).
"""

from __future__ import annotations

import re

PAPER_PREFIX = "论文"
RESOURCE_PREFIX = "数据资源"

# Tracks a venue string can end with, longest first ("ICLR 2026 Poster", "NeurIPS 2025 Datasets and
# Benchmarks Track").
TRACKS = sorted(
    [
        "Poster", "Oral", "Spotlight", "Highlight", "Workshop", "Findings", "Main", "Main Conference",
        "Main Track", "Long Paper", "Long Papers", "Long", "Short Paper", "Short Papers", "Short",
        "Demo", "Demos", "Demo Track", "Industry", "Industry Track", "Datasets and Benchmarks",
        "Datasets and Benchmarks Track", "Datasets & Benchmarks", "D&B", "D&B Track", "Tiny Paper",
        "Tiny Papers", "Journal Track", "Position", "Position Track", "Best Paper", "Oral Presentation",
        "Poster Presentation", "Notable top 5%", "Notable top 25%", "Notable Top 5%",
        "Notable Top 25%", "Accept", "Accepted", "Student Abstract", "Extended Abstract",
        "Clinical Abstract", "Findings Track", "Workshop Track", "Article", "Letter", "Brief Communication",
        "Perspective", "Review", "Analysis",
    ],
    key=len,
    reverse=True,
)

# Access phrases as catalogs print them, longest first. Anything else that ends like an access
# phrase (…访问, …获取) is accepted by ACCESS_GENERIC and flagged for review.
ACCESS_PHRASES = sorted(
    [
        "开放访问", "公开访问", "公开", "开放", "开源", "免费下载", "免费访问", "开放获取", "开放下载",
        "申请访问", "需申请", "需申请访问", "申请后访问", "申请获取", "需要申请", "受限访问", "受控访问",
        "注册访问", "需注册", "注册后访问", "注册后下载", "凭证访问", "需凭证", "需凭证访问", "认证访问",
        "需认证", "需认证访问", "资质认证访问", "授权访问", "需授权", "商业许可", "商业授权", "付费访问",
        "付费", "部分开放", "部分公开", "机构访问", "仅限研究", "仅研究用途", "非商业使用",
        "Open access", "Open Access", "Restricted access", "Restricted Access", "Credentialed access",
        "Credentialed Access", "Application required", "Registration required", "Request access",
    ],
    key=len,
    reverse=True,
)
ACCESS_GENERIC = r"[\u4e00-\u9fff]{1,6}?(?:访问|获取|下载|许可|授权)"

# Last words of a modality field ("Chinese medical exam and QA text", "Text and medical images").
MODALITY_HEADS = {
    "text", "texts", "image", "images", "imaging", "x-ray", "x-rays", "radiograph", "radiographs",
    "scan", "scans", "ct", "mri", "pet", "ultrasound", "video", "videos", "audio", "speech", "voice",
    "record", "records", "ehr", "ehrs", "emr", "notes", "note", "signal", "signals", "ecg", "eeg",
    "data", "sequence", "sequences", "report", "reports", "dialogue", "dialogues", "dialog",
    "conversations", "conversation", "questions", "answers", "qa", "multimodal", "tabular", "omics",
    "genomics", "genome", "genomes", "proteins", "structures", "molecules", "graphs", "graph",
    "slides", "wsi", "histopathology", "pathology", "dermoscopy", "fundus", "oct", "literature",
    "abstracts", "articles", "papers", "codes", "claims", "time series", "time-series", "series",
    "waveforms", "3d", "volumes", "photos", "photographs", "sounds", "transcripts", "cases",
    "文本", "影像", "图像", "语音", "视频", "病历", "数据", "信号", "对话", "问答",
    "报告", "记录", "笔记", "序列", "切片", "心电图", "文献", "病例", "照片", "波形",
}

# Last words of a resource-type field ("Chinese medical QA dataset", "Model", "LLM benchmark").
TYPE_HEADS = {
    "benchmark", "benchmarks", "dataset", "datasets", "data set", "corpus", "corpora", "model",
    "models", "leaderboard", "suite", "database", "knowledge base", "knowledge graph", "kg",
    "ontology", "terminology", "toolkit", "library", "challenge", "collection", "resource",
    "platform", "api", "framework", "arena", "evaluation", "testbed", "test set", "repository",
    "registry", "atlas", "cohort", "archive", "simulator", "environment", "checkpoint", "weights",
    "基准", "数据集", "模型", "语料", "语料库", "知识图谱", "知识库", "评测", "评测集", "平台",
}

# Generic acronyms that end topics ("trustworthy medical AI", "临床 LLM") but rarely start a title or
# are a work's name.
GENERIC_ACRONYMS = {
    "AI", "LLM", "LLMs", "VLM", "VLMs", "MLLM", "MLLMs", "NLP", "NLU", "ML", "DL", "QA", "EHR",
    "EHRs", "RAG", "CV", "GenAI", "AGI", "LM", "LMs", "FM", "FMs", "IR", "KG", "RL",
    # task acronyms ("medical VQA", "clinical NER")
    "VQA", "NER", "ASR", "OCR", "NLI", "NLG", "CDSS", "LVLM", "LVLMs",
}

# Words a topic cannot end with: "… gait analysis for" continues into the title.
FUNCTION_WORDS = {
    "a", "an", "the", "of", "for", "in", "on", "with", "to", "from", "by", "at", "via", "and", "or",
    "as", "into", "towards", "toward", "using", "without", "under", "over", "across", "between",
}

# A trailing code link is not part of the description.
TRAILING_LINK = re.compile(
    r"\s*(?:Code/project link|Code/Project link|Project/code link|Code link|Project link|"
    r"Project page|Code|代码链接|项目链接|代码|项目主页)\s*[:：]\s*\S+\s*$"
)
URL = re.compile(r"https?://[^\s<>\"'，。；、）】]+")
