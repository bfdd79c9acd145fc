"""Splitting a header line into fields.

Paper:    ``论文`` + venue and track + year + ``年`` + topic + `` `` + title
Resource: ``数据资源`` + modality + resource type + scale + access phrase + `` `` + name
Other:    a bare title.

Fields are glued without separators, so each split is chosen among candidates by a score (see
:mod:`kg.parse.evidence`); a choice whose runner-up scored close is reported as a guess for review.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations

from kg.parse import lexicon
from kg.parse.evidence import MAX_TOPIC_TOKENS, Evidence, vocab_labels
from kg.parse.text import has_cjk, is_cjk, normalize

_PAPER = re.compile(r"^论文\s*(?P<vt>.*?)(?P<year>\d{4})\s*年\s*(?P<rest>.*)$", re.S)
_YEAR_IN_VENUE = re.compile(r"^(?P<venue>.*?(?<!\d)(?:19|20)\d{2}(?!\d))\s*(?P<track>.*)$")
_COLON_NAME = re.compile(r"^[A-Za-z0-9][^\s:：]*[:：]")
_NAME_COLON = re.compile(r"^\s*(?P<name>[^:：\u3400-\u9fff]{1,80}?)\s*[:：]")
# a name before Chinese text or a full-width bracket: "MedQA（USMLE）", "CMB 中文医学基准"
_NAME_LEAD = re.compile(r"^\s*(?P<name>[A-Za-z0-9][^\u3400-\u9fff:：（【《]*?)\s*(?=[\u3400-\u9fff（【《])")
GUESS_MARGIN = 2.0

_ASCII_HEADS = tuple(sorted((h for h in lexicon.TYPE_HEADS | lexicon.MODALITY_HEADS if h.isascii()),
                            key=len, reverse=True))
_CJK_HEADS = re.compile("|".join(sorted((re.escape(h) for h in lexicon.TYPE_HEADS | lexicon.MODALITY_HEADS
                                         if not h.isascii()), key=len, reverse=True)))


def _head_re(heads: set[str]) -> re.Pattern[str]:
    def alt(words: list[str]) -> str:
        return "|".join(re.escape(h) for h in sorted(words, key=len, reverse=True))

    ascii_alt = alt([h for h in heads if h.isascii()])
    cjk_alt = alt([h for h in heads if not h.isascii()])
    return re.compile(rf"(?:(?<![a-z])(?:{ascii_alt})|(?:{cjk_alt}))$")


_TYPE_END = _head_re(lexicon.TYPE_HEADS)
_MODALITY_END = _head_re(lexicon.MODALITY_HEADS)


class HeaderError(ValueError):
    """A header that cannot be split; the message is the reason shown to the user."""


@dataclass
class Fields:
    kind: str
    title: str
    name: str | None = None
    venue: str | None = None
    track: str | None = None
    year: int | None = None
    topic: str | None = None
    modality: str | None = None
    resource_type: str | None = None
    scale: str | None = None
    access: str | None = None
    guesses: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- names


def _name_like(token: str) -> bool:
    core = token.strip("()[]\"'“”‘’,.;!?")
    return bool(core) and core not in lexicon.GENERIC_ACRONYMS and (
        any(c.isdigit() for c in core) or "-" in core or any(c.isupper() for c in core[1:])
    )


# "3D 医学影像…", "2D-to-3D 病灶分割", "2D/3D 配准": dimensions, not names
_DIMENSIONS = re.compile(r"^\d+D(?:(?:-to-|[-/])\d+D)*$")


def short_name(title: str, kind: str) -> str | None:
    """The short Latin name a display title carries, if any.

    >>> short_name("LiveClin:无泄漏的实时临床基准", "paper")
    'LiveClin'
    >>> short_name("MedGemma / MedSigLIP 医学 AI 模型", "resource")
    'MedGemma / MedSigLIP'
    >>> short_name("能否用 LLM 为临床时间序列数据生成可迁移表征?", "paper") is None
    True
    """
    m = _NAME_COLON.match(title)
    if m and any(c.isalpha() for c in m["name"]) or (m := _NAME_LEAD.match(title)) is not None:
        cand = m["name"]
    elif kind == "resource" and not has_cjk(title) and len(title.split()) <= 4:
        cand = title
    else:
        return None
    cand = cand.strip(" -–—/,;|")
    tokens = cand.split()
    if not cand or cand in lexicon.GENERIC_ACRONYMS or not any(c.isalpha() for c in cand) or _DIMENSIONS.match(cand):
        return None
    if len(tokens) > 5 or (len(tokens) >= 3 and not any(_name_like(t) for t in tokens)):
        return None  # an English phrase, not a name
    return cand


# ---------------------------------------------------------------- papers


def split_paper_prefix(header: str) -> tuple[str, int, str] | None:
    """(venue-and-track, year, rest) of a paper header, or None.

    The year is the four digits right before ``年``, so ``NAACL 20242024 年`` reads as
    venue ``NAACL 2024`` and year 2024.

    >>> split_paper_prefix("论文NAACL 20242024 年clinical NLP X")
    ('NAACL 2024', 2024, 'clinical NLP X')
    """
    m = _PAPER.match(header)
    if not m:
        return None
    return m["vt"].strip(), int(m["year"]), m["rest"].strip()


def split_venue_track(vt: str) -> tuple[str, str | None]:
    """``ICLR 2026 Poster`` → (``ICLR 2026``, ``Poster``); ``Nature Medicine`` → (…, None).

    A venue with a year ends at the year: what follows is the track ("MICCAI 2025 Early Accept").
    Without a year, a known track word ends the venue, unless the whole string is a known venue
    ("Medical Image Analysis") or the word also ends journal names and the venue before it is unknown.

    >>> split_venue_track("ICLR 2026 Poster")
    ('ICLR 2026', 'Poster')
    >>> split_venue_track("NeurIPS 2025 Datasets and Benchmarks Track")
    ('NeurIPS 2025', 'Datasets and Benchmarks Track')
    >>> split_venue_track("CHIL 2025 (Poster)")
    ('CHIL 2025', 'Poster')
    >>> split_venue_track("Nature Medicine")
    ('Nature Medicine', None)
    >>> split_venue_track("Medical Image Analysis")
    ('Medical Image Analysis', None)
    """
    vt = " ".join(vt.split())
    m = _YEAR_IN_VENUE.match(vt)
    if m and (track := _unbracket(m["track"])):
        return m["venue"].strip(), track
    known = _known_venues()
    if normalize(vt) in known:
        return vt, None
    for track in lexicon.TRACKS:
        if vt.lower().endswith(track.lower()) and len(vt) > len(track):
            head = vt[: -len(track)]
            if head.endswith((" ", "-", "(")) or head[-1].isdigit():
                venue = head.rstrip(" -(").strip()
                if track in _JOURNAL_TITLE_WORDS and normalize(venue) not in known:
                    continue  # "Harvard Data Science Review": part of an unknown journal's name
                return venue, vt[-len(track):].strip(" )")
    return vt, None


def _unbracket(track: str) -> str:
    """``(Poster)`` → ``Poster``, ``- Oral`` → ``Oral``; ``Tiny Papers (Notable)`` unchanged."""
    track = track.strip(" -–—,;")
    if len(track) > 2 and track[0] + track[-1] in ("()", "（）", "[]"):
        track = track[1:-1].strip()
    return track


# track words that also end journal names ("Medical Image Analysis", "… Review")
_JOURNAL_TITLE_WORDS = {"Analysis", "Review", "Perspective", "Letter", "Article"}


@lru_cache(maxsize=1)
def _known_venues() -> frozenset[str]:
    return frozenset(normalize(v) for v in vocab_labels("venues"))


def _topic_score(tokens: list[str], k: int, ev: Evidence) -> tuple[float, list[str]]:
    topic, title = tokens[:k], tokens[k:]
    topic_text = normalize(" ".join(topic))
    why: list[str] = []
    s = 0.0
    if topic_text in ev.topics:
        s += 10
        why.append("known topic")
    if ev.topic_prefixes.get(topic_text, 0) >= 2:
        s += 5 + 0.1 * k
        why.append(f"topic recurs in {ev.topic_prefixes[topic_text]} entries")
    first = title[0]
    if any(":" in t or "：" in t for t in topic):
        s -= 10
    if _COLON_NAME.match(first):
        s += 4
    elif is_cjk(first[0]):
        s += 3 if not is_cjk(topic[-1][0]) else 1
    elif first in lexicon.GENERIC_ACRONYMS:
        s -= 6  # "LLM PsyQA-Bench：…": the acronym ends the topic ("mental health LLM")
    elif first.isalpha() and first.islower():
        # a plain lower-case word ("understanding 手术视频…") continues the topic: titles start
        # with a capital, a name or Chinese
        s -= 20
    elif _lower_brand(first):
        s += 2  # "mHealth", "eICU", "iPhone-based": a name with a lower-case prefix starts the title
    elif first[0].islower():
        s -= 2
    elif first[0].isupper() and (not first.isupper() or _caps_name(first)):
        s += 1
    # a name run ending in a colon token ("Med-PaLM 2: …") starts the title
    for j in range(k, min(len(tokens), k + 4)):
        if ":" in tokens[j] or "：" in tokens[j]:
            if j > k and tokens[k] not in lexicon.GENERIC_ACRONYMS and all(
                    _name_like(t) or t[0].isupper() or t.isdigit() for t in tokens[k:j]):
                s += 3
            break
    if topic[-1].lower() in lexicon.FUNCTION_WORDS:
        s -= 10  # "… gait analysis for": a topic does not end with a preposition or article
    elif _lower_brand(topic[-1]) and topic_text not in ev.topics:
        s -= 4  # "EHR representation learning eICU": a lower-case-prefixed name opens the title
    elif topic[-1] in lexicon.GENERIC_ACRONYMS:
        s += 1
    elif _name_like(topic[-1]) and not topic[-1].isupper():
        s -= 2  # "… Med-PaLM" ends a name, not a topic
    elif (len(topic) > 1 and topic[-1][:1].isupper() and not topic[-1].isupper()
          and any(t[:1].islower() for t in topic[:-1])):
        s -= 2  # "brand new area Zeta": a capitalised word after lower-case ones starts the title
    elif len(topic) > 1 and _caps_name(topic[-1]) and any(t[:1].islower() for t in topic[:-1]):
        s -= 4  # "EHR foundation models CLMBR-T": a versioned name after lower-case words starts the title
    if any(is_cjk(t[0]) and len(t) > 8 for t in topic):
        s -= 4  # long Chinese runs are titles, not topics
    if k > 4:
        s -= k - 4
    return s, why


def _lower_brand(token: str) -> bool:
    """A name spelt with a lower-case prefix: a brand in camel case (``mHealth``, ``iPhone-based``)
    or a dataset or model the vocabularies know (``eICU``); not a biomedical term of the same shape
    (``fMRI``, ``cfDNA``, ``scRNA-seq``, ``eGFR``), which ends a topic as well as it starts a title.

    >>> [_lower_brand(t) for t in ("mHealth", "iPhone-based", "eICU", "fMRI", "cfDNA", "scRNA-seq")]
    [True, True, True, False, False, False]
    """
    core = token.strip("()[]\"'“”‘’,.;:：!?")
    if not (len(core) > 2 and core[0].islower() and core[0].isascii() and any(c.isupper() for c in core[1:3])
            and core not in lexicon.GENERIC_ACRONYMS):
        return False
    head = re.split(r"[-/]", core)[0]
    return re.search(r"[A-Z][a-z]", head) is not None or core in _known_names() or head in _known_names()


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    """Labels of the datasets and models the vocabularies know."""
    return vocab_labels("benchmarks") | vocab_labels("models")


def _caps_name(token: str) -> bool:
    """An upper-case name with a digit or hyphen (``CLMBR-T``, ``MIMIC-IV``), not a plain acronym
    (``VQA``) nor a disease or virus with its number (``COVID-19``, ``HIV-1``), which a topic may end with.

    >>> [_caps_name(t) for t in ("CLMBR-T", "MIMIC-IV", "VQA", "COVID-19", "HIV-1")]
    [True, True, False, False, False]
    """
    return (token.isupper() and not token.isalpha() and _name_like(token) and token[:1].isalpha()
            and re.fullmatch(r"[A-Z]+-\d+", token) is None)


def split_topic_title(rest: str, ev: Evidence) -> tuple[str, str, str | None]:
    """(topic, title, guess note or None).

    >>> split_topic_title("临床 LLM 面向专家级医学问答的大语言模型", Evidence())[:2]
    ('临床 LLM', '面向专家级医学问答的大语言模型')
    >>> split_topic_title("trustworthy medical AI LiveClin:无泄漏的实时临床基准", Evidence())[:2]
    ('trustworthy medical AI', 'LiveClin:无泄漏的实时临床基准')
    """
    spans = [(m.start(), m.group()) for m in re.finditer(r"\S+", rest)]
    tokens = [t for _, t in spans]
    if len(tokens) < 2:
        # no space at all: only a known topic glued to the title can be split off
        for topic in sorted(ev.topics, key=len, reverse=True):
            if normalize(rest).startswith(topic) and len(normalize(rest)) > len(topic):
                cut = len(topic)
                return rest[:cut].strip(), rest[cut:].strip(), None
        raise HeaderError("cannot split topic from title (no space between them)")
    scored = sorted(
        ((_topic_score(tokens, k, ev), k) for k in range(1, min(len(tokens), MAX_TOPIC_TOKENS + 1))),
        key=lambda x: (-x[0][0], x[1]),
    )
    (best, why), k = scored[0]
    topic, title = rest[: spans[k][0]].strip(), rest[spans[k][0]:].strip()
    note = None
    if not why and len(scored) > 1 and (best - scored[1][0][0] < GUESS_MARGIN or best <= 0):
        alt_k = scored[1][1] if len(scored) > 1 else k
        note = (
            f"topic/title split guessed: topic {topic!r} (unknown topic; "
            f"runner-up {rest[: spans[alt_k][0]].strip()!r})"
        )
    return topic, title, note


def parse_paper(header: str, ev: Evidence) -> Fields:
    parts = split_paper_prefix(header)
    if parts is None:
        raise HeaderError("paper header has no '<year> 年' field")
    vt, year, rest = parts
    if not vt:
        raise HeaderError("paper header has no venue before the year")
    if not 1900 <= year <= 2100:
        raise HeaderError(f"paper header year {year} out of range")
    if not rest:
        raise HeaderError("paper header has no topic and title after the year")
    venue, track = split_venue_track(vt)
    topic, title, note = split_topic_title(rest, ev)
    f = Fields("paper", title, short_name(title, "paper"), venue, track, year, topic)
    if note:
        f.guesses.append(note)
    return f


# ---------------------------------------------------------------- resources


def find_access(body: str, phrases: Sequence[str]) -> tuple[int, int, str] | None:
    """(start, end of the space after it, phrase) of the access phrase in a resource header body:
    a known phrase followed by a space and the name.

    Header fields are glued together, so the access phrase is glued to the field before it: a
    phrase after a space ("…; credentialed access需申请 X") or inside a word ("reopen") is only taken
    when no glued one is found. Of the glued ones the first wins, and the longest at one place.

    >>> body = "X-ray imagesImaging dataset377,110 images; credentialed users需申请 MIMIC-CXR"
    >>> find_access(body, ["credentialed", "需申请", "申请"])
    (61, 65, '需申请')
    >>> find_access("TextQA datasetOpen access X", ["open", "Open access"])[2]
    'Open access'
    """
    best: tuple[tuple[int, int, int], tuple[int, int, str]] | None = None
    for phrase in phrases:
        if phrase not in body:  # most phrases are absent: skip their pattern
            continue
        ascii_word = phrase[0].isascii() and phrase[0].isalpha()
        for m in _phrase_re(phrase).finditer(body):
            start = m.start()
            if start == 0:
                continue
            prev = body[start - 1]
            if prev.isspace():
                rank = 1
            elif ascii_word and prev.isascii() and prev.isalnum() and not (
                    phrase[0].isupper() and (prev.islower() or prev.isdigit())):
                rank = 2  # inside a word: "reopen", "cardopen"
            else:
                rank = 0
            # glued: the first, longest there; otherwise the longest phrase, first (as before)
            key = (rank, start, -len(phrase)) if rank == 0 else (rank, -len(phrase), start)
            if best is None or key < best[0]:
                best = (key, (start, m.end(), phrase))
    if best is None:
        return None
    start, end, phrase = best[1]
    # "需" / "需要" (requires) before a known phrase belongs to it: "需注册访问" is not "需" + "注册访问"
    for lead in _ACCESS_LEADS:
        if start > len(lead) and body.startswith(lead, start - len(lead)):
            return start - len(lead), end, lead + phrase
    return start, end, phrase


_ACCESS_LEADS = ("需要", "需")


def _access_split(body: str, ev: Evidence) -> tuple[str, str, str, bool]:
    """(middle, access, name, known_phrase) of a resource header body (after 数据资源)."""
    found = find_access(body, ev.access_phrases)
    if found is not None:
        start, end, phrase = found
        return body[:start], phrase, body[end:].strip(), phrase in ev.access_phrases
    m = _ACCESS_GENERIC.search(body)
    if m and m.start() > 0:
        # take the shortest CJK run ending the phrase: it is glued to the scale before it
        start = m.start()
        while start < m.end() and not is_cjk(body[start]):
            start += 1
        return body[:start], body[start: m.end()], body[m.end():].strip(), False
    raise HeaderError("resource header has no access phrase (e.g. 开放访问) followed by a name")


@lru_cache(maxsize=4096)
def _phrase_re(phrase: str) -> re.Pattern[str]:
    return re.compile(re.escape(phrase) + r"\s+(?=\S)")


_ACCESS_GENERIC = re.compile(lexicon.ACCESS_GENERIC + r"(?=\s+\S)")


_APPROX = "<>~≈≥≤＜＞～"  # signs that can open a scale ("~10k", ">40,000")
_BRACKETS_CLOSE = ")]}）】］｝"
_CLOSERS = _BRACKETS_CLOSE + ".;,%"  # a field can end with these ("Radiology images (CT/MRI)|Segmentation …")
_CJK_CONJUNCTIONS = "与和及、或"
# modality heads that do not also qualify a type ("问答|数据集", "报告|生成数据集" do)
_CJK_MODALITY_ONLY = frozenset(h for h in lexicon.MODALITY_HEADS - lexicon.TYPE_HEADS
                               if not h.isascii() and h not in ("问答", "对话", "报告"))
_CJK_TYPE_HEADS = re.compile("|".join(sorted((re.escape(h) for h in lexicon.TYPE_HEADS if not h.isascii()),
                                             key=len, reverse=True)))


@lru_cache(maxsize=4096)
def _cut_points(mid: str) -> tuple[int, ...]:
    # a function of the text alone, and the middle fields of resource headers recur: remembered
    cuts = []
    n = len(mid)
    for i in range(1, n):
        a, b = mid[i - 1], mid[i]
        if a.isspace() or b.isspace():
            continue
        nxt = mid[i + 1] if i + 1 < n else ""
        after_sign = mid[i + 1: i + 3].lstrip()[:1]  # a space may follow the sign: "≈ 10k images"
        lower_to_upper = (a.islower() or a.isdigit() or a in _CLOSERS) and b.isupper() and b.isascii()
        # "benchmark8 tasks", "database>40,000 patients", "dataset~10k pairs", "QA benchmark（多语言）6 languages"
        letter_to_digit = ((a.isascii() and a.isalpha()) or a in _BRACKETS_CLOSE) and (
            b.isdigit() or (b in _APPROX and after_sign.isdigit()))
        acronym_to_word = a.isupper() and b.isupper() and nxt.islower() and a.isascii()  # "QA|Multiple"
        script_change = (is_cjk(a) != is_cjk(b)) and a.isalnum() and b.isalnum()
        if lower_to_upper or letter_to_digit or acronym_to_word or script_change:
            cuts.append(i)
    # a lower-case field glued after a head word: "datasets|cMedQA-style pairs"
    for m in re.finditer(r"\S+", mid):
        run = m.group()
        low = run.lower()
        if not low.startswith(_ASCII_HEADS):
            continue
        head = next(h for h in _ASCII_HEADS if low.startswith(h))  # the longest: "images", not "image"
        rest = re.split(r"[-/(),;]", run[len(head):])[0]
        if len(rest) > 1 and rest[0].isalpha() and rest[0].islower():
            cuts.append(m.start() + len(head))
    # Chinese field heads end a field even between two Chinese characters, but not before a
    # conjunction or another modality head ("医学影像与报告", "病理全切片图像": one modality); a type
    # head may also open the type field right after the modality ("中文医学知识|知识图谱")
    if has_cjk(mid):
        for m in _CJK_HEADS.finditer(mid):
            if 0 < m.end() < n and is_cjk(mid[m.end()]) and mid[m.end()] not in _CJK_CONJUNCTIONS:
                nxt_head = _CJK_HEADS.match(mid, m.end())
                if nxt_head is None or nxt_head.group() not in _CJK_MODALITY_ONLY:
                    cuts.append(m.end())
        for m in _CJK_TYPE_HEADS.finditer(mid):
            if m.start() > 0 and is_cjk(mid[m.start() - 1]) and mid[m.start() - 1].isalnum():
                cuts.append(m.start())
    return tuple(sorted(set(cuts)))


def _run_bounds(mid: str, i: int) -> tuple[int, int]:
    s = i
    while s > 0 and not mid[s - 1].isspace():
        s -= 1
    e = i
    while e < len(mid) and not mid[e].isspace():
        e += 1
    return s, e


def _clean(word: str) -> str:
    return word.strip("()[]{};,.:!?\"'")


def _cut_score(mid: str, i: int, cuts: tuple[int, ...], ev: Evidence) -> float:
    s, e = _run_bounds(mid, i)
    marks = sorted({s, e, *[c for c in cuts if s < c < e]})
    # a known word spanning the cut means the cut is inside it ("Med|Gemma" in "MedGemma")
    for a in marks:
        for b in marks:
            if a < i < b and ev.knows(_clean(mid[a:b])) and len(_clean(mid[a:b])) > 1:
                return -6.0
    left = [_clean(mid[a:i]) for a in marks if a < i]
    right = [_clean(mid[i:b]) for b in marks if b > i]
    score = 0.0
    for side in (left, right):
        known = [w for w in side if w and ev.knows(w)]
        score += 1 if known else -1
    if len(left[-1]) == 1 and left[-1].islower():
        score -= 3  # "c|MedQA", "e|ICU": a lone lower-case letter is a prefix, not a word
    if is_cjk(mid[i - 1]) != is_cjk(mid[i]):
        score += 0.5
    return score


def _cut_scores(mid: str, cuts: tuple[int, ...], ev: Evidence) -> dict[int, float]:
    key = ("cuts", mid, id(ev.words), len(ev.words), id(ev.words_lower), len(ev.words_lower))
    scores = ev.memo.get(key)
    if scores is None:
        if len(ev.memo) >= MEMO_SIZE:
            ev.memo.clear()
        scores = ev.memo[key] = {c: _cut_score(mid, c, cuts, ev) for c in cuts}
    return scores  # type: ignore[return-value]


MEMO_SIZE = 1 << 14


def _last_word(text: str) -> str:
    words = text.strip().split()
    return _clean(words[-1]).lower() if words else ""


def _ends_with_head(text: str, heads: set[str]) -> bool:
    pattern = _TYPE_END if heads is lexicon.TYPE_HEADS else _MODALITY_END
    return pattern.search(text.strip().lower()) is not None


def _field_score(text: str, slot: str, ev: Evidence) -> float:
    static, norm = _field_shape(text, slot)
    if norm is None:
        return -20
    s = 0.0
    if ev.fields[slot].get(norm, 0):
        s += 3
    if slot == "modality" and norm in ev.modalities:
        s += 3
    return s + static


@lru_cache(maxsize=1 << 15)
def _field_shape(text: str, slot: str) -> tuple[float, str | None]:
    """The part of a field's score that depends on its text alone, and its normalised form (None
    for an empty field). Remembered: candidate fields recur across a catalog's resource headers."""
    t = text.strip()
    if not t:
        return 0.0, None
    s = 0.0
    if slot == "modality":
        if _ends_with_head(t, lexicon.MODALITY_HEADS):
            s += 2
        if _ends_with_head(t, lexicon.TYPE_HEADS):
            s -= 1
        if any(c.isdigit() for c in t):
            s -= 1
    elif slot == "resource_type":
        if _ends_with_head(t, lexicon.TYPE_HEADS):
            s += 3
        if ";" in t:
            s -= 2
    else:
        if any(c.isdigit() for c in t):
            s += 1
        if t[0].isdigit():
            s += 1
        if "see " in t or ";" in t:
            s += 1
    return s, normalize(t)


def split_resource_middle(mid: str, ev: Evidence) -> tuple[str, str, str | None, str | None]:
    """(modality, resource type, scale, guess note) of the glued middle of a resource header.

    >>> split_resource_middle("Text and medical imagesModelMedGemma / MedSigLIP model family",
    ...                       Evidence(words={"MedGemma", "MedSigLIP"}))[:3]
    ('Text and medical images', 'Model', 'MedGemma / MedSigLIP model family')
    """
    cuts = _cut_points(mid)
    if not cuts:
        raise HeaderError(f"cannot split modality / resource type / scale in {mid!r}")
    cut_scores = _cut_scores(mid, cuts, ev)
    # the first field ends, and the last begins, at one of few cuts: score each once
    first = {c: _field_score(mid[:c], "modality", ev) for c in cuts}
    last = {c: _field_score(mid[c:], "scale", ev) for c in cuts}
    options = []
    for i, j in combinations(cuts, 2):
        score = cut_scores[i] + cut_scores[j] + (first[i] + _field_score(mid[i:j], "resource_type", ev) + last[j])
        options.append((score, i, j))
    if not options:  # one cut: two fields, take them as modality and type
        c = cuts[0]
        return mid[:c].strip(), mid[c:].strip(), None, (
            f"only two fields found in {mid!r}: read as modality and resource type, no scale"
        )
    options.sort(key=lambda o: -o[0])
    score, i, j = options[0]
    modality, rtype, scale = mid[:i], mid[i:j], mid[j:]
    note = None
    if len(options) > 1 and score - options[1][0] < GUESS_MARGIN:
        _, i2, j2 = options[1]
        alt = (mid[:i2], mid[i2:j2], mid[j2:])
        note = (
            f"modality/type/scale split guessed: {modality.strip()!r} | {rtype.strip()!r} | "
            f"{scale.strip()!r} (runner-up {alt[0].strip()!r} | {alt[1].strip()!r} | {alt[2].strip()!r})"
        )
    return modality.strip(), rtype.strip(), scale.strip(), note


def parse_resource(header: str, ev: Evidence) -> Fields:
    body = header[len(lexicon.RESOURCE_PREFIX):].strip()
    mid, access, name_field, known_access = _access_split(body, ev)
    if not name_field:
        raise HeaderError("resource header has no name after the access phrase")
    modality, rtype, scale, note = split_resource_middle(mid.strip(), ev)
    f = Fields(
        "resource", name_field, short_name(name_field, "resource"),
        modality=modality, resource_type=rtype, scale=scale, access=access,
    )
    if note:
        f.guesses.append(note)
    if not known_access:
        f.guesses.append(f"access phrase {access!r} is not a known phrase")
    return f


def parse_fields(header: str, ev: Evidence) -> Fields:
    h = header.strip().lstrip("\ufeff").strip()
    if not h:
        raise HeaderError("empty header")
    if h.startswith(lexicon.PAPER_PREFIX):
        return parse_paper(h, ev)
    if h.startswith(lexicon.RESOURCE_PREFIX):
        return parse_resource(h, ev)
    return Fields("unknown", h, short_name(h, "unknown"))
