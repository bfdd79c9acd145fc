"""Extraction rules: what an entry's title, fields and description say it introduces, covers,
addresses and evaluates. Each rule is a small function; every edge it adds names the rule.

- introduces: "we introduce/present/propose X, a … benchmark|dataset|method|model", or a paper
  named ``X:…`` whose title says what X is (基准, 数据集, 模型 …);
- languages: language names and adjectives (Arabic, Chinese, 阿拉伯语, 中文 …) → lexvo IRIs;
- tasks: labels and synonyms of the task vocabulary (English and Chinese), most specific kept;
- models: names from the model vocabulary; evaluated when the sentence evaluates, else mentioned;
- datasets: names from the benchmark vocabulary and from other catalog entries → usesDataset;
- model families: a resource named ``A / B`` is a family of the models A and B.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from kg.link import FAMILY_OF, Linked, Node, work_node
from kg.link.resolve import name_key, resolve
from kg.link.vocab import vocabulary
from kg.namespaces import KGO, LEXVO

NAME = r"[A-Z0-9][\w\-.+]*[\w+](?:[ ][A-Z0-9][\w\-.+]*[\w+]|[ ]\d+(?:\.\d+)?)?"
_INTRO = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work|study))\s+(?:first\s+|further\s+|also\s+)?"
    r"(?:introduce|introduces|present|presents|propose|proposes|release|releases|construct|constructs|"
    r"develop|develops|build|builds|curate|curates|create|creates|contribute|contributes)\s+"
    rf"(?P<name>{NAME})\s*(?:\((?P<abbr>[A-Za-z][\w\-]{{1,20}})\))?\s*,\s*(?P<what>[^.;]{{0,200}})"
)
_INTRO_CALLED = re.compile(
    r"\b(?:introduce|present|propose|release|construct|develop|build|curate|create)s?\s+"
    r"(?:a|an|the)\s+(?P<what>[^,.;]{0,80}?)\s*,?\s*(?:called|named|dubbed|termed)\s+"
    rf"(?P<name>{NAME})"
)
KIND_WORDS = [
    (re.compile(r"\b(?:benchmark|leaderboard|test ?bed|evaluation suite|arena)s?\b", re.I), "Benchmark"),
    (re.compile(r"\b(?:dataset|data set|corpus|corpora|collection)s?\b", re.I), "Dataset"),
    (re.compile(r"\b(?:foundation model|language model|model|assistant|LLM|chatbot)s?\b", re.I), "Model"),
    (re.compile(r"\b(?:method|approach|framework|technique|algorithm|strategy|pipeline|system|agent|"
                r"module|metric|mechanism|paradigm|loss|objective)s?\b", re.I), "Method"),
]
TITLE_KIND = [
    (re.compile(r"基准|评测|测评|评估|排行榜"), "Benchmark"),
    (re.compile(r"数据集|语料"), "Dataset"),
    (re.compile(r"(?<!语言)模型|助手"), "Model"),
    (re.compile(r"方法|框架|算法|机制|策略"), "Method"),
]
_EVAL_CONTEXT = re.compile(
    r"evaluat|assess|benchmark|compar|answers? from|tested|test |performance|accuracy|outperform|"
    r"responses? from|paper on|judg|score", re.I
)
_SENTENCE = re.compile(r"[^.!?。！？]+[.!?。！？]?")
# sentences about other work ("existing benchmarks focus on multiple-choice …") say nothing about
# this entry's tasks
_PRIOR_WORK = re.compile(
    r"\b(?:existing|current|prior|previous|conventional|traditional|most|many|often|typically|"
    r"unlike|however|beyond|instead of|rather than|lack|limited)\b", re.I)
_ANSWERS_FROM = re.compile(r"answers? from|responses? from")


def own_text(e) -> str:  # noqa: ANN001
    """Title, fields and the description without sentences about prior work."""
    sentences = _SENTENCE.findall(e.description or "")
    return _own_text(e, sentences, [_PRIOR_WORK.search(x) is not None for x in sentences])


def _own_text(e, sentences: list[str], prior: list[bool]) -> str:  # noqa: ANN001
    own = [x for x, about_prior in zip(sentences, prior, strict=True) if not about_prior]
    return " \n ".join(x for x in (e.title, e.name, e.modality, e.resource_type, e.scale, *own) if x)


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    start: int
    end: int


_TOKEN = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9\-\u3400-\u9fff]")
_HAS_CJK = re.compile(r"[\u3400-\u9fff]")


def _tokens(text: str) -> list[tuple[str, int, int, bool]]:
    """(token, start, end, joined) — ``joined`` when a hyphen glues it to the previous token."""
    out = []
    for m in _TOKEN.finditer(text):
        joined = m.start() > 0 and text[m.start() - 1] == "-"
        out.append((m.group(), m.start(), m.end(), joined))
    return out


class Matcher:
    """Find vocabulary labels in text: longest first, non-overlapping; labels with capitals (names,
    acronyms) match case-sensitively, lower-case ones case-insensitively; spaces and hyphens inside a
    label are interchangeable; a match never starts inside a hyphenated word ("PaLM" in "Med-PaLM").
    Chinese labels match as substrings.

    Latin labels are looked up as token n-grams in dictionaries (linear in the text), not as one
    regular expression with thousands of alternatives.

    >>> m = Matcher({"Med-PaLM 2": "mp2", "PaLM": "palm", "question answering": "qa"})
    >>> [(h.iri, h.label) for h in m.find("Med-PaLM 2 does Question-Answering; PaLM too")]
    [('mp2', 'Med-PaLM 2'), ('qa', 'Question-Answering'), ('palm', 'PaLM')]
    """

    def __init__(self, labels: Mapping[str, str]) -> None:
        self.exact: dict[tuple[str, ...], str] = {}
        self.folded: dict[tuple[str, ...], str] = {}
        cjk: list[str] = []
        self.cjk_iri: dict[str, str] = {}
        self.span: dict[str, int] = {}
        self.prefixes: set[tuple[str, ...]] = set()  # case-folded token prefixes of every Latin label
        self.longest = 1
        for label in sorted(labels, key=len, reverse=True):
            if len(label) < 2 or (len(label) < 3 and label.islower()):
                continue
            if _HAS_CJK.search(label):
                key = re.sub(r"[\s-]+", " ", label)
                self.cjk_iri.setdefault(key, labels[label])
                cjk.append(label)
                continue
            toks = tuple(t for t, *_ in _tokens(label))
            if not toks:
                continue
            self.longest = max(self.longest, len(toks))
            if label != label.lower():
                self.exact.setdefault(toks, labels[label])
            else:
                self.folded.setdefault(tuple(t.casefold() for t in toks), labels[label])
            # the longest label starting with this (case-folded) token bounds the n-grams to try
            first = toks[0].casefold()
            self.span[first] = max(self.span.get(first, 0), len(toks))
            folded = tuple(t.casefold() for t in toks)
            self.prefixes.update(folded[:n] for n in range(1, len(folded) + 1))
        parts = [re.escape(x).replace(r"\ ", r"[\s-]+") for x in cjk]
        self.cjk_pattern = re.compile("|".join(parts)) if parts else None
        # a Chinese label's match holds Chinese characters: a text is searched only from its first to
        # its last, widened by the longest head and tail of a label before and after its own (counted
        # in characters other than spaces and hyphens, which match runs of any length)
        self.cjk_reach = (0, 0)
        for label in cjk:
            core = [i for i, c in enumerate(label) if _HAS_CJK.match(c)]
            head, tail = _solid(label[:core[0]]), _solid(label[core[-1] + 1:])
            self.cjk_reach = (max(self.cjk_reach[0], head), max(self.cjk_reach[1], tail))

    def find(self, text: str) -> Iterator[Hit]:
        if not text:
            return
        hits = self._latin(text)
        if self.cjk_pattern is not None and (at := _HAS_CJK.search(text)) is not None:
            last = len(text) - 1 - _HAS_CJK.search(text[::-1]).start()  # type: ignore[union-attr]
            pos, endpos = _reach(text, at.start(), -1, self.cjk_reach[0]), _reach(text, last + 1, 1, self.cjk_reach[1])
            for m in self.cjk_pattern.finditer(text, pos, endpos):
                iri = self.cjk_iri.get(re.sub(r"[\s-]+", " ", m.group()))
                if iri and not any(h.start < m.end() and m.start() < h.end for h in hits):
                    hits.append(Hit(iri, m.group(), m.start(), m.end()))
        yield from sorted(hits, key=lambda h: h.start)

    def _latin(self, text: str) -> list[Hit]:
        ms, words, folded = _tokenized(text)
        span = self.span
        # only tokens that start some label are worth a look (most tokens start none)
        starts = [i for i, f in enumerate(folded) if f in span]
        hits: list[Hit] = []
        done = 0  # tokens before this index are inside a hit already
        for i in starts:
            if i < done:
                continue
            first = ms[i].start()
            if first > 0 and text[first - 1] == "-":  # inside a hyphenated word
                continue
            longest = min(span[folded[i]], len(ms) - i)
            # a gap other than spaces/hyphens between two tokens ends any label crossing it; and only
            # n-grams that begin some label can grow into one
            n_max = 1
            while (n_max < longest and not text[ms[i + n_max - 1].end():ms[i + n_max].start()].strip(" -\t")
                   and tuple(folded[i:i + n_max + 1]) in self.prefixes):
                n_max += 1
            for n in range(n_max, 0, -1):
                iri = self.exact.get(tuple(words[i:i + n])) or self.folded.get(tuple(folded[i:i + n]))
                if iri is not None:
                    end = ms[i + n - 1].end()
                    hits.append(Hit(iri, text[first:end], first, end))
                    done = i + n
                    break
        return hits


def _solid(text: str) -> int:
    """Characters other than spaces and hyphens."""
    return sum(1 for c in text if not (c.isspace() or c == "-"))


def _reach(text: str, i: int, step: int, n: int) -> int:
    """How far from ``i`` (backwards when ``step`` is -1) ``n`` characters other than spaces and
    hyphens reach, with the spaces and hyphens around them.

    >>> _reach("ab ICD - 编码", 9, -1, 3), _reach("编码 x  y", 2, 1, 1)
    (2, 6)
    """
    while i > 0 if step < 0 else i < len(text):
        c = text[i - 1] if step < 0 else text[i]
        if not (c.isspace() or c == "-"):
            if n == 0:
                break
            n -= 1
        i += step
    return i


@lru_cache(maxsize=8)
def _tokenized(text: str) -> tuple[list[re.Match[str]], list[str], list[str]]:
    """Token matches, words and case-folded words of a text (an entry's text is searched by
    several matchers in turn: tokenise it once)."""
    ms = list(_TOKEN.finditer(text))
    words = [m.group() for m in ms]
    return ms, words, [w.casefold() for w in words]


def _vocab_labels(name: str) -> dict[str, str]:
    voc = vocabulary(name)
    out: dict[str, str] = {}
    for iri, c in voc.concepts.items():
        for label in c.pref.values():
            out.setdefault(label, iri)
    from kg.link.vocab import vocab_files  # noqa: F401 - ensure files located

    # alt labels come through the normalised index; recover their spelling from the file
    for label_norm, iri in voc.index.items():
        out.setdefault(_spelling(name, label_norm), iri)
    return out


@cache
def _spellings(name: str) -> dict[str, str]:
    import pyoxigraph as ox

    from kg.link.vocab import LABELS, vocab_files
    from kg.parse.text import normalize

    out: dict[str, str] = {}
    path = next((p for p in vocab_files() if p.stem == name), None)
    if path is None:
        return out
    with path.open("rb") as fh:
        for t in ox.parse(fh, format=ox.RdfFormat.TURTLE):
            if t.predicate.value in LABELS and isinstance(t.object, ox.Literal):
                out.setdefault(normalize(t.object.value), t.object.value)
    return out


def _spelling(name: str, label_norm: str) -> str:
    return _spellings(name).get(label_norm, label_norm)


@cache
def task_matcher() -> Matcher:
    return Matcher(_vocab_labels("tasks"))


@cache
def model_matcher() -> Matcher:
    return Matcher(_vocab_labels("models"))


@cache
def dataset_matcher() -> Matcher:
    return Matcher(_vocab_labels("benchmarks"))


@cache
def language_matcher() -> Matcher:
    """Names of the common languages (a curated table: the full ISO list holds names such as
    "Are" or "Even" that would match ordinary words)."""
    from kg.link import languages as lang

    labels: dict[str, str] = {}
    for entry in lang.COMMON_LANGUAGES:
        code = lang.ROUTED_CODES.get(entry.code, entry.code)
        for name in (entry.zh, *entry.alt_zh, *entry.alt_en, _pycountry_name(entry.code)):
            if name:
                labels[name if re.search(r"[\u3400-\u9fff]", name) else name[:1].upper() + name[1:]] = code
    for alias, code in getattr(lang, "INDEX_ALIASES", {}).items():
        if re.search(r"[\u3400-\u9fff]", alias):
            labels.setdefault(alias, lang.ROUTED_CODES.get(code, code))
        elif alias[:1].isalpha():
            labels.setdefault(alias[:1].upper() + alias[1:], lang.ROUTED_CODES.get(code, code))
    return Matcher({k: v for k, v in labels.items() if len(k) >= 2})


def _pycountry_name(code: str) -> str:
    import pycountry

    lang = pycountry.languages.get(alpha_3=code)
    return re.sub(r"\s*\(.*\)$", "", lang.name) if lang else ""


# ---------------------------------------------------------------- rules


def kind_of(what: str) -> str | None:
    found = [(m.start(), cls) for rx, cls in KIND_WORDS if (m := rx.search(what))]
    return min(found)[1] if found else None


def title_kind(title: str) -> str | None:
    for rx, cls in TITLE_KIND:
        if rx.search(title):
            return cls
    return None


def introduced(linked: Linked) -> list[tuple[str, str, str]]:
    """(name, class, rule) of what a paper or untyped work introduces."""
    e = linked.entry
    if e.kind == "resource":
        return []
    out: list[tuple[str, str, str]] = []
    text = e.description or ""
    for rx in (_INTRO, _INTRO_CALLED):
        for m in rx.finditer(text):
            name = m["name"].strip()
            cls = kind_of(m["what"]) or (title_kind(e.title) if e.name and name_key(e.name) == name_key(name)
                                         else None) or "Method"
            if cls == "Dataset" and title_kind(e.title) == "Benchmark" and e.name and \
                    name_key(e.name) == name_key(name):
                cls = "Benchmark"  # "dataset and benchmark" (数据集与基准)
            rule = f"description: {m.group(0)[:90].strip()!r}"
            if not any(name_key(n) == name_key(name) for n, _, _ in out):
                out.append((name, cls, rule))
    if e.name and not any(name_key(n) == name_key(e.name) for n, _, _ in out):
        cls = title_kind(e.title) or "Method"
        out.append((e.name, cls, f"paper titled '{e.name}: …' (kind from title: {cls})"))
    return out


def extend(linked: Linked, catalog_names: Mapping[str, tuple[str, str]]) -> None:
    e = linked.entry
    main = linked.main
    described = [main]

    # model families: "MedGemma / MedSigLIP"
    if "Model" in main.classes and e.name and re.search(r"\s/\s|\s&\s|,\s", e.name):
        for member in re.split(r"\s*/\s*|\s*&\s*|,\s*", e.name):
            if member:
                node = linked.add(work_node(member, "Model", f"member of model family {e.name!r}"))
                linked.link(node.iri, KGO + "partOfFamily", main.iri, node.rule)
                described.append(node)

    # what a paper introduces
    intro = introduced(linked)
    for name, cls, rule in intro:
        node = linked.add(work_node(name, cls, f"introduced by the paper ({rule})"))
        node.literals.append((KGO + "introducedBy", main.iri))
        linked.link(main.iri, KGO + "introduces", node.iri, rule)
        if cls in ("Dataset", "Benchmark", "Model", "Method"):
            described.append(node)
    if e.kind == "paper":
        intro_names = [n for n, _, r in intro if r.startswith("description")]
        if intro_names and e.name and all(name_key(n) != name_key(e.name) and name_key(e.name) not in name_key(n)
                                          for n in intro_names):
            linked.notes.append(f"title names {e.name!r} but the description introduces {intro_names[0]!r}")

    text = " \n ".join(x for x in (e.title, e.name, e.modality, e.resource_type, e.scale, e.description) if x)
    data_targets = [n for n in described if set(n.classes) & {"Dataset", "Benchmark", "Paper", "Work"}]
    if main not in data_targets:
        data_targets.insert(0, main)

    # languages
    for code in sorted({h.iri for h in language_matcher().find(text)}):
        iri = f"{LEXVO}{code}"
        for n in data_targets:
            linked.link(n.iri, KGO + "language", iri, "language named in the entry's text")

    # tasks: keep the most specific of the matched tasks
    sentences = _SENTENCE.findall(e.description or "")
    prior = [_PRIOR_WORK.search(x) is not None for x in sentences]
    tasks = {h.iri: h.label for h in task_matcher().find(_own_text(e, sentences, prior))}
    ancestors: set[str] = set()
    for iri in tasks:
        ancestors |= _task_ancestors(iri)
    for iri, label in tasks.items():
        if iri in ancestors:
            continue
        for n in data_targets:
            linked.link(n.iri, KGO + "addressesTask", iri, f"task named in the text: {label!r}")

    # models evaluated or mentioned
    own = {name_key(n.label) for n in described}
    for sentence, about_prior in zip(sentences, prior, strict=True):
        if about_prior and not _ANSWERS_FROM.search(sentence):
            continue
        evaluating = bool(_EVAL_CONTEXT.search(sentence))
        for hit in model_matcher().find(sentence):
            if name_key(hit.label) in own:
                continue
            node = linked.add(Node(hit.iri, ["Model"], hit.label, rule="model vocabulary", describe=False))
            evaluators = [n for n in described if set(n.classes) & {"Paper", "Work", "Benchmark"}] or [main]
            for n in evaluators:
                pred = "evaluates" if evaluating else "mentions"
                linked.link(n.iri, KGO + pred, node.iri, f"model named in: {sentence.strip()[:90]!r}")

    # datasets used or mentioned: known benchmarks, and things other catalog entries describe
    for hit in _dataset_hits(text, catalog_names):
        iri, label = hit
        if iri in {n.iri for n in described}:
            continue
        if _is_version_of(label, described):
            continue  # "Updated cMedQA dataset" inside the cMedQA2 entry: the same dataset
        pred = "usesDataset" if e.kind != "resource" else "mentions"
        linked.link(main.iri, KGO + pred, iri, f"dataset named in the text: {label!r}")


def _is_version_of(label: str, described: list[Node]) -> bool:
    k = name_key(label)
    return any(re.fullmatch(re.escape(k) + r"v?\d+(?:\d)*", name_key(n.label)) for n in described)


def _dataset_hits(text: str, catalog_names: Mapping[str, tuple[str, str]]) -> Iterator[tuple[str, str]]:
    seen = set()
    for hit in dataset_matcher().find(text):
        if hit.iri not in seen:
            seen.add(hit.iri)
            yield hit.iri, hit.label
    if not catalog_names:
        return
    for word in re.findall(r"[A-Za-z][\w\-]*[\w]", text):
        found = catalog_names.get(name_key(word))
        if found and found[0] in ("Dataset", "Benchmark"):
            iri, _ = resolve(found[1], FAMILY_OF[found[0]])
            if iri not in seen:
                seen.add(iri)
                yield iri, word


@lru_cache(maxsize=4096)
def _task_ancestors(iri: str) -> frozenset[str]:
    return frozenset(_ancestors(vocabulary("tasks"), iri))


def _ancestors(voc, iri: str) -> set[str]:  # noqa: ANN001
    out: set[str] = set()
    todo = [iri]
    while todo:
        c = voc.concepts.get(todo.pop())
        if c is None:
            continue
        for b in c.broader:
            if b not in out:
                out.add(b)
                todo.append(b)
    return out


def catalog_names(entries: list) -> dict[str, tuple[str, str]]:  # noqa: ANN001
    """name key → (class, name) of what resource entries describe, for mentions elsewhere."""
    from kg.link import resource_class

    out: dict[str, tuple[str, str]] = {}
    for e in entries:
        if getattr(e, "kind", None) == "resource" and e.name:
            out.setdefault(name_key(e.name), (resource_class(e.resource_type), e.name))
    return out
