"""Extraction rules: what an entry's title, fields and description say it introduces, covers,
addresses and evaluates. Each rule is a small function; every edge it adds names the rule.

- introduces: "we introduce/present/propose X, a … benchmark|dataset|method|model", or a paper
  named ``X:…`` whose title says what X is (基准, 数据集, 模型 …);
- languages: language names and adjectives (Arabic, Chinese, 阿拉伯语, 中文 …) → lexvo IRIs;
- tasks: labels and synonyms of the task vocabulary (English and Chinese), most specific kept;
- models: names from the model vocabulary; evaluated when the sentence evaluates, else mentioned;
- datasets: names from the benchmark vocabulary, and in a paper or an untyped work the datasets and
  benchmarks other catalog entries describe or introduce (:mod:`kg.link.catalog`) → usesDataset
  (mentioned, when only sentences about other work name them, or when a resource names them);
- model families: a resource named ``A / B`` is a family of the models A and B.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

from kg.link import Linked, Node, work_node
from kg.link.catalog import CatalogNames
from kg.link.resolve import name_key, resolve
from kg.link.vocab import vocabulary
from kg.namespaces import KGO, LEXVO

NAME = r"[A-Z0-9][\w\-.+]*[\w+](?:[ ][A-Z0-9][\w\-.+]*[\w+]|[ ]\d+(?:\.\d+)?)?"
_INTRO = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work|study))\s+(?:first\s+|further\s+|also\s+)?"
    # a second verb of the subject: "We adapt SAM to colonoscopy and propose PolypSAM, a …"
    r"(?:[\w-]+(?:\s+[\w-]+){0,8}\s+and\s+)?"
    r"(?:introduce|introduces|present|presents|propose|proposes|release|releases|construct|constructs|"
    r"develop|develops|build|builds|curate|curates|create|creates|contribute|contributes|"
    r"describe|describes)\s+"
    rf"(?P<name>{NAME})\s*(?:\((?P<abbr>[A-Za-z][\w\-]{{1,20}})\))?\s*,\s*(?P<what>[^.;]{{0,200}})"
)
_INTRO_CALLED = re.compile(
    r"\b(?:introduce|present|propose|release|construct|develop|build|curate|create)s?\s+"
    r"(?:a|an|the)\s+(?P<what>[^,.;]{0,80}?)\s*,?\s*(?:called|named|dubbed|termed)\s+"
    rf"(?P<name>{NAME})"
)
# a second thing introduced in the same breath: "introduces MultiMedQA, a benchmark …, and
# HealthSearchQA, a new dataset of …" (the list's comma before "and": "compares Gemini and GPT-4, a
# proprietary model" introduces nothing)
_AND_INTRO = re.compile(rf",\s+and\s+(?P<name>{NAME})\s*,\s*(?P<what>an?\s+[^,.;]{{0,120}})")
# Chinese descriptions: 我们提出 TCMBench，一个…评测基准 / 本文提出了一个…对话模型 ZhongJing
_ZH_NAME = r"(?a:(?=[\w\-.+]*[A-Za-z])[A-Z0-9][\w\-.+]*[\w+])"  # with a letter: not "20000"
_ZH_INTRO_VERB = r"(?:我们|本文|本研究|本工作|并)(?:首先|还|进一步)?(?:提出|构建|发布|推出|开发|介绍|创建|建立)了?"
_INTRO_ZH = re.compile(rf"{_ZH_INTRO_VERB}\s*(?P<name>{_ZH_NAME})\s*[，,：:]\s*(?P<what>[^。；;]{{0,80}})")
_INTRO_ZH_BEFORE = re.compile(
    rf"{_ZH_INTRO_VERB}(?:一个|一种|一套)?(?P<what>[^，。；,;]{{0,40}}?"
    r"(?:模型|数据集|基准|框架|方法|系统|语料库?|助手|智能体))\s*(?P<name>"
    rf"{_ZH_NAME})")
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
    r"evaluat|assess|benchmark|compar|answers? from|tested|test |performs?\b|performance|outperform|"
    r"underperform|performed (?:best|better|worse|well|poorly|comparably)|accuracy|"
    r"responses? from|paper on|judg|score|audit|\brated\b|"
    # Chinese descriptions: 评测/评估 (evaluate), 测试 (test), 对比/比较 (compare), 优于/超过/超越 (outperform)
    r"评测|评估|测试|对比|比较|优于|超过|超越", re.I
)
# a sentence ends at . ! ? (and the quotes, brackets or citation marks after it) followed by a space,
# Chinese or the end; not inside "Qwen2.5", "Llama 3.1" or a URL
_CLOSERS = r"(?:[\"'”’)\]]|\[\d+(?:[,–-]\s*\d+)*\])*"
_SENTENCE = re.compile(
    rf"(?:[^.!?。！？]|[.!?](?!{_CLOSERS}(?:\s|$|[\u3400-\u9fff])))+(?:[.!?]{_CLOSERS}|[。！？])?")
# sentences about other work ("existing benchmarks focus on multiple-choice …") say nothing about
# this entry's tasks
_PRIOR_WORK = re.compile(
    r"\b(?:existing|current|prior|previous|conventional|traditional|most|many|often|typically|"
    r"unlike|however|beyond|instead of|rather than|lack|limited|mostly|predominantly|largely)\b", re.I)
# ... unless the entry itself is the subject: "We introduce X, combining six existing datasets",
# "This paper ...", "Our ...", "X is a ..." / "It ..." in the entry about X
_OWN_SUBJECT = re.compile(
    r"^\s*(?:(?:Here|In this (?:paper|work|study)|To address (?:this|these)(?: \w+)?),?\s+)?"
    r"(?:[Ww]e|[Oo]ur|[Tt]his (?:paper|work|study))\b")
_ANSWERS_FROM = re.compile(r"answers? from|responses? from")


def _about_prior(sentence: str, name: str | None) -> bool:
    """Whether a sentence is about other work rather than the entry's own."""
    if _PRIOR_WORK.search(sentence) is None:
        return False
    if _OWN_SUBJECT.search(sentence):
        return False
    start = sentence.lstrip()
    return not (name and start.startswith(name + " ") or start.startswith("It "))


def own_text(e) -> str:  # noqa: ANN001
    """Title, fields and the description without sentences about prior work."""
    sentences = _SENTENCE.findall(e.description or "")
    return _own_text(e, sentences, [_about_prior(x, e.name) for x in sentences])


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

    def __init__(self, labels: Mapping[str, str], chain_hyphens: bool = False) -> None:
        # chain_hyphens: a label may follow a hyphen right after another match ("English-Chinese")
        self.chain_hyphens = chain_hyphens
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
                if not iri:
                    continue
                overlap = [h for h in hits if h.start < m.end() and m.start() < h.end]
                # a Chinese label holding a Latin one wins over it: 华佗GPT is HuatuoGPT, not GPT
                if all(m.start() <= h.start and h.end <= m.end() for h in overlap):
                    hits = [h for h in hits if h not in overlap]
                    hits.append(Hit(iri, m.group(), m.start(), m.end()))
        yield from sorted(hits, key=lambda h: h.start)

    def _latin(self, text: str) -> list[Hit]:
        ms, words, folded, distinct = _tokenized(text)
        span = self.span
        # only tokens that start some label are worth a look: most tokens start none, and the
        # text's distinct tokens meet the labels' first tokens in one set intersection (in C)
        firsts = span.keys() & distinct
        if not firsts:
            return []
        starts = sorted(i for f in firsts for i in _positions(folded, f)) if len(firsts) > 1 \
            else _positions(folded, firsts.pop())
        hits: list[Hit] = []
        done = 0  # tokens before this index are inside a hit already
        for i in starts:
            if i < done:
                continue
            first = ms[i].start()
            if first > 0 and text[first - 1] == "-" and not (  # inside a hyphenated word
                    self.chain_hyphens and hits and hits[-1].end == first - 1):
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
def _tokenized(text: str) -> tuple[list[re.Match[str]], list[str], list[str], frozenset[str]]:
    """Token matches, words, case-folded words and the distinct case-folded words of a text (an
    entry's text is searched by several matchers in turn: tokenise it once)."""
    ms = list(_TOKEN.finditer(text))
    words = _TOKEN.findall(text)
    # ASCII text: lower() is casefold() and keeps every token's bounds
    folded = _TOKEN.findall(text.lower()) if text.isascii() else [w.casefold() for w in words]
    return ms, words, folded, frozenset(folded)


def _positions(items: list[str], item: str) -> list[int]:
    """Indexes of ``item`` in ``items`` (list.index: the scan runs in C).

    >>> _positions(["a", "b", "a"], "a")
    [0, 2]
    """
    out: list[int] = []
    i = -1
    try:
        while True:
            i = items.index(item, i + 1)
            out.append(i)
    except ValueError:
        return out


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
    return Matcher({k: v for k, v in labels.items() if len(k) >= 2}, chain_hyphens=True)


# a language adjective that names something else: traditional Chinese medicine, Arabic numerals,
# Japanese encephalitis, Spanish flu, German measles, Latin America, the Persian Gulf, Korean ancestry
_NOT_A_LANGUAGE = re.compile(
    r"\s*(?:medicines?|herbal|herbs?|numerals?|digits?|encephalitis|flu|influenza|measles|"
    r"America|Americans?|Gulf|War|letters|ancestry|descent)\b", re.I)
# 中英双语, 中英文, 英汉对照: two one-character language names before 双语 (bilingual), 文, 对照 …
_ZH_PAIR = re.compile(r"([中汉英日韩法德俄])([中汉英日韩法德俄])(?=双语|文|对照|互译|平行|翻译)")
_ZH_CHAR = {"中": "zho", "汉": "zho", "英": "eng", "日": "jpn", "韩": "kor", "法": "fra", "德": "deu", "俄": "rus"}


# "not in English", 非英语 (a negated noun phrase, "no Arabic benchmark exists", still names Arabic)
_NEGATED_LANGUAGE = re.compile(r"(?:\bnot\s+(?:in\s+)?|非)$", re.I)
_NEGATION_REACH = 40  # "not in" and the spaces around it


def languages_in(text: str) -> set[str]:
    """ISO 639-3 codes of the languages a text names.

    >>> sorted(languages_in("a bilingual English-Chinese model for traditional Chinese medicine"))
    ['eng', 'zho']
    >>> sorted(languages_in("Arabic numerals in prescriptions")), sorted(languages_in("中英双语"))
    ([], ['eng', 'zho'])
    >>> sorted(languages_in("非英语临床文本: Swahili notes, not in English"))
    ['swa']
    >>> sorted(languages_in("Despite progress, no Arabic medical benchmark exists")), sorted(languages_in(
    ...     "a corpus of Chinese patients' records"))
    (['ara'], ['zho'])
    """
    # the negation ends where the name starts: search the 40 characters before it ("not in" and
    # its spaces), not the whole text up to it, which the engine scans from its start for each
    # name ("\b" still sees the character before the stretch)
    codes = {h.iri for h in language_matcher().find(text)
             if not _NOT_A_LANGUAGE.match(text, h.end)
             and not _NEGATED_LANGUAGE.search(text, max(0, h.start - _NEGATION_REACH), h.start)}
    for m in _ZH_PAIR.finditer(text):
        if m[1] != m[2]:
            codes |= {_ZH_CHAR[m[1]], _ZH_CHAR[m[2]]}
    return codes


def _pycountry_name(code: str) -> str:
    import pycountry

    lang = pycountry.languages.get(alpha_3=code)
    return re.sub(r"\s*\(.*\)$", "", lang.name) if lang else ""


# ---------------------------------------------------------------- rules


_NEXT_CLAUSE = re.compile(r",\s*(?:and|where|which|while|whereas|but)\b")


def kind_of(what: str) -> str | None:
    """The kind of thing an appositive names, from its own clause: "a U-Net variant, and evaluate it
    on two datasets" names no dataset.

    >>> kind_of("a live benchmark designed for practice"), kind_of("a U-Net variant, and test it on datasets")
    ('Benchmark', None)
    """
    what = _NEXT_CLAUSE.split(what, maxsplit=1)[0]
    found = [(m.start(), cls) for rx, cls in KIND_WORDS if (m := rx.search(what))]
    return min(found)[1] if found else None


def title_kind(title: str) -> str | None:
    for rx, cls in TITLE_KIND:
        if rx.search(title):
            return cls
    return None


_ZH_APPOSITIVE = re.compile(r"\s*(?:一个|一种|一套|一款|一项|即|是|为|an?\s|the\s)", re.I)


def zh_kind(what: str) -> str | None:
    """The kind a Chinese phrase ends on (its head noun comes last): 一个面向中医的大语言模型评测基准 →
    Benchmark."""
    what = re.split(r"[，,]", what, maxsplit=1)[0]
    found = [(m.end(), cls) for rx, cls in TITLE_KIND for m in rx.finditer(what)]
    return max(found)[1] if found else None


def _intro_matches(text: str) -> Iterator[tuple[re.Match[str], str | None]]:
    """Matches of the introduction patterns with the kind their phrase names."""
    for rx in (_INTRO, _INTRO_CALLED):
        for m in rx.finditer(text):
            yield m, kind_of(m["what"])
            if rx is _INTRO:
                for m2 in _AND_INTRO.finditer(m["what"]):
                    if (kind := kind_of(m2["what"])) is not None and not resolve(m2["name"], "model")[1]:
                        yield m2, kind
    for m in _INTRO_ZH_BEFORE.finditer(text):  # 提出了一个…模型 X: the phrase before the name is its kind
        yield m, zh_kind(m["what"]) or kind_of(m["what"])
    for m in _INTRO_ZH.finditer(text):
        # 提出 X，一个…基准: after the comma only an appositive (一个…, 即…) says what X is, not the
        # rest of the sentence ("提出 MedX，并在三个数据集上进行了评测")
        appositive = _ZH_APPOSITIVE.match(m["what"]) is not None
        yield m, (zh_kind(m["what"]) or kind_of(m["what"])) if appositive else None


def introduced(linked: Linked) -> list[tuple[str, str, str]]:
    """(name, class, rule) of what a paper or untyped work introduces."""
    e = linked.entry
    if e.kind == "resource":
        return []
    out: list[tuple[str, str, str]] = []
    text = e.description or ""
    for m, kind in _intro_matches(text):
        name = m["name"].strip()
        cls = kind or (title_kind(e.title) if e.name and name_key(e.name) == name_key(name)
                       else None) or "Method"
        if resolve(name, "model")[1]:
            cls = "Model"  # "We describe AMIE, a conversational diagnostic AI system": a known model
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


def extend(linked: Linked, catalog_names: CatalogNames | None = None) -> None:
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

    # languages: those named outside sentences about other work ("LLMs are mostly evaluated in
    # English" in a Japanese benchmark's abstract), else any named
    sentences = _SENTENCE.findall(e.description or "")
    prior = [_about_prior(x, e.name) for x in sentences]
    own_txt = _own_text(e, sentences, prior)
    codes = languages_in(own_txt)
    if not codes and any(prior):
        codes = languages_in(text)
    for code in sorted(codes):
        iri = f"{LEXVO}{code}"
        for n in data_targets:
            linked.link(n.iri, KGO + "language", iri, "language named in the entry's text")

    # tasks: keep the most specific of the matched tasks
    tasks = {h.iri: h.label for h in task_matcher().find(own_txt) if not negated(own_txt, h.start)}
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
    own_iris = {n.iri for n in described}
    for sentence, about_prior in zip(sentences, prior, strict=True):
        if about_prior and not _ANSWERS_FROM.search(sentence):
            continue
        evaluating: bool | None = None  # looked up for the first model found (most sentences name none)
        for hit in model_matcher().find(sentence):
            if name_key(hit.label) in own or hit.iri in own_iris:
                continue  # the entry's own model ("MedGemma 1.5" in the MedGemma family entry)
            if not_a_model(sentence, hit):
                continue
            # the model a new one starts from is not evaluated: "pretrained from Llama 3.1 8B"
            base_model = _BASE_MODEL.search(sentence[max(0, hit.start - 40):hit.start]) is not None
            node = linked.add(Node(hit.iri, ["Model"], hit.label, rule="model vocabulary", describe=False))
            evaluators = [n for n in described if set(n.classes) & {"Paper", "Work", "Benchmark"}]
            # a dataset or model entry evaluates nothing (kgo:evaluates is said of papers and
            # benchmarks): "MedGemma, built on Gemma 3 and evaluated on MedQA" mentions Gemma 3
            if evaluating is None:
                evaluating = _EVAL_CONTEXT.search(sentence) is not None
            pred = "evaluates" if evaluating and evaluators and not base_model else "mentions"
            for n in evaluators or [main]:
                linked.link(n.iri, KGO + pred, node.iri, f"model named in: {sentence.strip()[:90]!r}")

    # datasets used or mentioned: known benchmarks, and in a paper the datasets other catalog
    # entries describe or introduce. A dataset named only about other work ("existing benchmarks
    # such as MedQA focus on …") or negated ("does not use MedMCQA") is mentioned, not used
    names = catalog_names if e.kind != "resource" else None
    hits = list(_dataset_hits(own_txt, names))
    used = {iri for iri, _, start, _ in hits if not negated(own_txt, start)}
    if any(prior):
        about_prior = " \n ".join(x for x, p in zip(sentences, prior, strict=True) if p)
        hits += _dataset_hits(about_prior, names)
    own_keys = {name_key(n.label) for n in described}
    for iri, label, _, source in hits:
        if iri in {n.iri for n in described} or name_key(label) in own_keys:
            continue  # what the entry itself describes or introduces (also as a method or model)
        if _is_version_of(label, described):
            continue  # "Updated cMedQA dataset" inside the cMedQA2 entry: the same dataset
        pred = "usesDataset" if e.kind != "resource" and iri in used else "mentions"
        linked.link(main.iri, KGO + pred, iri, f"dataset named in the text: {label!r}{source}")


# a negation just before a label, in the same clause: "does not use multiple-choice questions",
# "without retrieval", 不包含问答标注, 不做选择题 ("not only" is no negation)
_NEGATION_EN = re.compile(r"\b(?:not|without|never|nor)\s+(?!only\b|just\b|merely\b|solely\b|limited\b)"
                          r"(?:[\w-]+\s+){0,2}$", re.I)
_NEGATION_ZH = re.compile(r"(?:不|非|无|没有|未)(?:需要|需|做|用|使用|含|包含|包括|涉及|支持|针对|考虑)?\s*$")


def negated(text: str, start: int) -> bool:
    """Whether the label found at ``start`` is negated.

    >>> t = "It does not use multiple-choice questions; it covers retrieval. 不包含问答标注"
    >>> negated(t, t.index("multiple")), negated(t, t.index("问答")), negated(t, t.index("retrieval"))
    (True, True, False)
    """
    before = text[max(0, start - 40):start]
    return bool(_NEGATION_EN.search(before) or _NEGATION_ZH.search(before))


_BASE_MODEL = re.compile(
    r"(?:(?:pre-?trained|trained|distilled|initiali[sz]ed|fine-?tuned|adapted|derived)\s+(?:\w+\s+)?from|"
    r"(?:based|built)\s+(?:up)?on|on top of|基于)\s*$", re.I)
# model names that are also medical words: a spinal level ("fractures between T5 and L1", "T5–T8",
# "the T5 vertebra") or an eponym ("Virchow's triad", "Virchow node")
_SPINAL_LEVEL = re.compile(r"[CTLS]\d{1,2}")
_SPINE = re.compile(r"vertebra|fractur|spin(?:e|al)|lumbar|thoracic|cervical|sacral|\bdiscs?\b|脊|椎", re.I)
_EPONYM_NOUN = re.compile(r"(?:['’]s)?\s+(?:triad|node|sign|syndrome|disease|law|reflex|criteria)\b")


def not_a_model(text: str, hit: Hit) -> bool:
    """Whether a model-vocabulary label found in ``text`` names something else.

    >>> t = "Fractures between T5 and L1 (Virchow's triad); T5 and Virchow embeddings"
    >>> [not_a_model(t, h) for h in model_matcher().find(t)]
    [True, True, False, False]
    >>> t = "We compare T5 and T0 on clinical notes."
    >>> [(h.label, not_a_model(t, h)) for h in model_matcher().find(t)]
    [('T5', False)]
    """
    if _SPINAL_LEVEL.fullmatch(hit.label):
        if re.match(r"\s+vertebra", text[hit.end:]):
            return True
        # a range of levels, in a text about the spine ("T5 and T0" are two models)
        after = re.match(r"\s*(?:[-–]|to|and|through)\s*([CTLS]\d{1,2})\b", text[hit.end:])
        before = re.search(r"\b[CTLS]\d{1,2}\s*(?:[-–]|to|and|through)\s*$", text[:hit.start])
        if (after or before) and _SPINE.search(text):
            return True
    return bool(_EPONYM_NOUN.match(text, hit.end))


def _is_version_of(label: str, described: list[Node]) -> bool:
    k = name_key(label)
    # the key, then a version number: a prefix test and one fixed pattern (a pattern made per label
    # missed the regular-expression cache and was compiled again for almost every entry)
    return any((other := name_key(n.label)).startswith(k) and _VERSION.fullmatch(other, len(k))
               for n in described)


_VERSION = re.compile(r"v?\d+")


def _dataset_hits(text: str, names: CatalogNames | None) -> Iterator[tuple[str, str, int, str]]:
    """(IRI, label, start, where the name comes from) of every dataset named in the text."""
    known = list(dataset_matcher().find(text))
    for hit in known:
        yield hit.iri, hit.label, hit.start, ""
    if names:
        for hit in names.find(text):
            if not any(k.start < hit.end and hit.start < k.end for k in known):
                yield hit.iri, hit.label, hit.start, " (a catalog entry describes or introduces it)"


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
