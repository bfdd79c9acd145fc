"""A synthetic catalog in the exact seed format (``data/catalog/*.txt``), at any size.

The mix follows the seed: about half papers (``论文<venue> <track><year> 年<topic> <title>``),
a third resource entries (``数据资源<modality><type><scale><access> <name>:<title>``), some untyped
entries (a bare title line), and a description line under each. Names repeat across entries (the
same benchmark is catalogued again and cited by papers; a paper is now and then listed twice), a few
headers are deliberately broken so that the reject path is exercised, and everything is deterministic
for a given seed.

Names are distinct strings (``MedCardioQA``, ``PathNLI7``, …) drawn from a space far larger than any
catalog, so that a name repeats because the *same thing* is catalogued or cited again, not because
the generator ran out of names: a paper names what it introduces, and a different paper with the
same name would, by medkg's rules, be the same paper (real catalogs list a paper once or twice, not
dozens of times).

>>> text = catalog_text(6, seed=1)
>>> lines = text.splitlines()
>>> len(lines)
12
>>> lines[0].startswith(("论文", "数据资源")) or len(lines[0]) < 160
True
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

VENUES = [
    ("ICLR 2026", ["Poster", "Oral", "Spotlight"], 2026),
    ("NeurIPS 2025", ["Poster", "Oral", "Datasets and Benchmarks"], 2025),
    ("ICML 2025", ["Poster", "Oral"], 2025),
    ("ACL 2025", ["Long", "Findings"], 2025),
    ("MICCAI 2025", ["Poster", "Oral"], 2025),
]
JOURNALS = [
    ("Nature Medicine", 2025), ("NEJM AI", 2025), ("Lancet Digital Health", 2024), ("npj Digital Medicine", 2024),
]
TOPICS = [
    "trustworthy medical AI", "clinical prediction", "medical LLM agent", "medical imaging",
    "临床 LLM", "medical QA", "multimodal clinical reasoning", "EHR modeling", "医学影像",
]
MODALITIES = [
    "Text", "Text and medical images", "Chinese medical exam and QA text", "Medical images",
    "Chinese biomedical and clinical text", "Clinical time series", "Radiology reports and images",
    "Chinese community medical questions and answers",
]
RESOURCE_TYPES = [
    ("LLM benchmark", "Benchmark and leaderboard"),
    ("LLM evaluation benchmark", "Health AI evaluation benchmark"),
    ("Chinese medical QA dataset", "Updated dataset; see official repository"),
    ("Chinese medical LLM evaluation benchmark", "Multiple exam splits; see Hugging Face card"),
    ("Chinese biomedical NLP benchmark", "8 biomedical NLU tasks; see official repository"),
    ("Model", "Open model family"),
    ("Medical imaging dataset", "120k studies; see data card"),
]
ACCESS = ["开放访问", "开放访问", "开放访问", "需申请访问", "受限访问"]
STEMS = [
    "Med", "Clin", "Bio", "Radi", "Path", "Onco", "Cardio", "Neuro", "Derm", "Pharma", "Health",
    "Care", "Vital", "Lab", "Chart", "Scan", "Gene", "Cell", "Triage", "Dx",
]
TAILS = ["QA", "Bench", "Eval", "Gemma", "SigLIP", "Net", "Arena", "Instruct", "VQA", "NLI", "Chat", "GPT"]
ZH_TITLES = [
    "中文医学基准", "面向临床推理的评测基准", "医学问答数据集", "医学影像数据集", "医学 AI 模型",
    "大规模多语言医学问答", "临床决策支持评测", "面向专家级医学问答的大语言模型", "无泄漏的实时临床基准",
    "特征归因解释中的缺失偏倚校准", "多轮临床推理的知识驱动拒答", "心理健康问答的专家评测",
]
LANGS = ["Arabic", "Chinese", "English", "Japanese", "Spanish", "French", "Korean", "Hindi", "German"]
SENTENCES = [
    "The reliability of medical LLM evaluation is undermined by data contamination and knowledge obsolescence.",
    "We introduce {name}, a benchmark designed to approximate real-world clinical practice.",
    "Models are evaluated on {lang} medical question answering, report generation and diagnosis.",
    "Built from peer-reviewed case reports, {name} resists contamination and is updated twice a year.",
    "Existing datasets emphasise classification accuracy and hide failures in diagnostic reasoning.",
    "We fine-tune {name} on {other} and report calibrated uncertainty on held-out hospitals.",
    "Physicians reviewed every item, and disagreements were resolved by a third specialist.",
    "It is suited for {lang} medical QA, LLM evaluation, and instruction-following assessment.",
    "The lack of open resources hinders efforts to evaluate multilingual capabilities of language models.",
]


def _names(rng: random.Random) -> Iterator[str]:
    """Distinct names: stem, an optional second stem, a tail and an optional number."""
    seen: set[str] = set()
    while True:
        second = rng.choice(STEMS).lower() if rng.random() < 0.6 else ""
        number = "" if rng.random() < 0.6 else str(rng.randint(2, 99))
        name = rng.choice(STEMS) + second.capitalize() + rng.choice(TAILS) + number
        while name in seen:  # a crowded space (millions of entries): number it
            name += str(rng.randint(0, 9))
        seen.add(name)
        yield name


def _description(rng: random.Random, name: str, names: list[str], venue: str | None) -> str:
    parts = [f"{venue} accepted paper at {venue.split(' ')[0]} {venue.split(' ')[-1]}."] if venue else []
    for s in rng.sample(SENTENCES, 3):
        parts.append(s.format(name=name, lang=rng.choice(LANGS), other=rng.choice(names)))
    if rng.random() < 0.3:
        parts.append(f"Code/project link: https://github.com/example-lab/{name}")
    return " ".join(parts)


def entries(n: int, seed: int = 7) -> Iterator[tuple[str, str]]:
    """``n`` (header, description) pairs with the seed's mix of kinds and repeated names."""
    rng = random.Random(seed)
    fresh = _names(rng)
    pool = [next(fresh) for _ in range(max(8, n // 10))]  # benchmarks and models cited again and again
    papers: list[tuple[str, str]] = []
    for i in range(n):
        name = rng.choice(pool)
        roll = rng.random()
        if i % 250 == 17:  # a broken header (1 in 250): a resource line without its fields
            yield "数据资源" + name, _description(rng, name, pool, None)
        elif roll < 0.5:
            if papers and rng.random() < 0.05:  # the same paper listed again (another file, another list)
                yield rng.choice(papers)
            elif rng.random() < 0.85:
                name = next(fresh)  # a paper names what it introduces: later entries may cite it
                pool.append(name)
                venue, tracks, year = rng.choice(VENUES)
                track = rng.choice(tracks)
                head = f"论文{venue} {track}{year} 年{rng.choice(TOPICS)} {name}:{rng.choice(ZH_TITLES)}"
                papers.append((head, _description(rng, name, pool, f"{venue} {track}")))
                yield papers[-1]
            else:
                journal, year = rng.choice(JOURNALS)
                head = f"论文{journal}{year} 年{rng.choice(TOPICS)} {rng.choice(ZH_TITLES)}{i}"
                yield head, _description(rng, name, pool, None)
        elif roll < 0.88:
            rtype, scale = rng.choice(RESOURCE_TYPES)
            head = (f"数据资源{rng.choice(MODALITIES)}{rtype}{scale}{rng.choice(ACCESS)} "
                    f"{name}:{rng.choice(ZH_TITLES)}")
            yield head, _description(rng, name, pool, None)
        else:
            yield f"迈向通用{rng.choice(ZH_TITLES)} {i}", _description(rng, name, pool, None)


def catalog_text(n: int, seed: int = 7) -> str:
    return "".join(f"{h}\n{d}\n" for h, d in entries(n, seed))


def write_catalog(out: Path, n: int, *, per_file: int = 1000, seed: int = 7) -> list[Path]:
    """Write ``n`` entries as ``NNN_<hex>.txt`` files of ``per_file`` entries each under ``out``."""
    import hashlib

    out.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    batch: list[str] = []

    def flush() -> None:
        text = "".join(batch)
        tag = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = out / f"{len(files):03d}_{tag}.txt"
        path.write_text(text, "utf-8")
        files.append(path)
        batch.clear()

    for h, d in entries(n, seed):
        batch.append(f"{h}\n{d}\n")
        if len(batch) >= per_file:
            flush()
    if batch:
        flush()
    return files


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description="Write a synthetic medkg catalog.")
    ap.add_argument("out", type=Path)
    ap.add_argument("-n", "--entries", type=int, default=1000)
    ap.add_argument("--per-file", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    files = write_catalog(a.out, a.entries, per_file=a.per_file, seed=a.seed)
    print(f"wrote {a.entries} entries in {len(files)} files under {a.out}")


if __name__ == "__main__":
    main()
