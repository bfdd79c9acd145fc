"""Language concepts for medkg: the whole ISO 639-3 code set as SKOS concepts.

Every language is identified by its lexvo IRI ``http://lexvo.org/id/iso639-3/<alpha_3>``
(docs/conventions.md) and is typed ``kgo:Language`` and ``skos:Concept`` in the scheme
``https://w3id.org/medkg/id/scheme/languages``.  The code set comes from
``pycountry.languages`` (ISO 639-3, ~7,900 codes) - nothing here is a hand-made list of
codes, and nothing touches the network.

Labels
    * ``skos:prefLabel @en`` - the pycountry (ISO 639-3) reference name.
    * ``skos:prefLabel @zh`` - from :data:`COMMON_LANGUAGES` for the common languages;
      otherwise from the zh_CN translation of the iso-codes catalogue shipped with
      pycountry, when that catalogue has one (first ``;``-separated form; further forms
      become ``skos:altLabel @zh``).
    * ``skos:altLabel`` @en/@zh and ``owl:sameAs`` Wikidata items only for the table.

Chinese (design decision)
    Catalogs say "Chinese", "中文", "汉语", "Mandarin", "简体中文" ... and mean the Chinese
    language in general, so ALL of these resolve to the macrolanguage ``zho``.  The
    individual language ``cmn`` (Mandarin Chinese) still exists as a concept, but
    :func:`language_index` never returns it (:data:`ROUTED_CODES`): "Mandarin", "普通话",
    "Mandarin Chinese", "汉语 (官话)" map to ``zho`` as well.  Cantonese (``yue``: "Cantonese",
    "粤语", "广东话") is kept apart because spoken/written Cantonese resources are genuinely
    different.  Likewise "Malay"
    maps to the macrolanguage ``msa``, "Swahili" to ``swa``, "Persian"/"Farsi" to ``fas``,
    "Arabic" to ``ara``, "Greek" to ``ell``.

Index
    :func:`language_index` maps lower-cased English and Chinese names/adjectives to ISO
    639-3 codes (table names first, then every pycountry name, then names without a
    parenthesised qualifier such as "(macrolanguage)", then zh_CN names).  ISO codes
    themselves are NOT keys (two-letter codes collide with ordinary words).  Use
    :func:`language_code` for lookups with normalisation.  Both are cached.
"""

from __future__ import annotations

import gettext
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import NamedTuple

import pycountry
from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, SKOS

LEXVO = Namespace("http://lexvo.org/id/iso639-3/")
WD = Namespace("http://www.wikidata.org/entity/")
KGO = Namespace("https://w3id.org/medkg/ontology#")
LANGUAGE_SCHEME = URIRef("https://w3id.org/medkg/id/scheme/languages")

Triple = tuple[URIRef, URIRef, URIRef | Literal]


class CommonLanguage(NamedTuple):
    """A frequently cited language with curated Chinese name, Wikidata item and aliases."""

    code: str  # ISO 639-3 code present in pycountry.languages
    zh: str  # Chinese preferred label
    wikidata: str | None  # Wikidata Q-id (only when checked), else None
    alt_en: tuple[str, ...] = ()  # English aliases / adjectives (skos:altLabel @en)
    alt_zh: tuple[str, ...] = ()  # Chinese aliases (skos:altLabel @zh)


# Curated table of the languages medical-AI resources actually cite.  Q-ids were checked
# against Wikidata's ISO 639-3 property (P220); where not checked the entry has None.
COMMON_LANGUAGES: tuple[CommonLanguage, ...] = (
    CommonLanguage("zho", "中文", "Q7850",
                   ("Mandarin", "Simplified Chinese", "Traditional Chinese", "Chinese language"),
                   ("汉语", "华语", "普通话", "国语", "简体中文", "繁体中文", "繁體中文", "中文（简体）",
                    "汉语言", "中国话")),
    CommonLanguage("eng", "英语", "Q1860", ("English language",), ("英文",)),
    CommonLanguage("ara", "阿拉伯语", "Q13955",
                   ("Modern Standard Arabic", "Arabic language"), ("阿拉伯文", "阿语")),
    CommonLanguage("spa", "西班牙语", "Q1321", ("Castilian",), ("西班牙文", "西语")),
    CommonLanguage("fra", "法语", "Q150", (), ("法文",)),
    CommonLanguage("deu", "德语", "Q188", (), ("德文",)),
    CommonLanguage("jpn", "日语", "Q5287", (), ("日文", "日本语", "日本語")),
    CommonLanguage("kor", "韩语", "Q9176", (), ("朝鲜语", "韩国语", "韩文", "朝鲜文")),
    CommonLanguage("rus", "俄语", "Q7737", (), ("俄文",)),
    CommonLanguage("por", "葡萄牙语", "Q5146", ("Brazilian Portuguese",), ("葡萄牙文", "葡语")),
    CommonLanguage("hin", "印地语", "Q1568", (), ("印地文",)),
    CommonLanguage("ita", "意大利语", "Q652", (), ("意大利文",)),
    CommonLanguage("vie", "越南语", "Q9199", (), ("越南文",)),
    CommonLanguage("tha", "泰语", "Q9217", (), ("泰文",)),
    CommonLanguage("ind", "印尼语", "Q9240", ("Bahasa Indonesia",), ("印度尼西亚语",)),
    CommonLanguage("tur", "土耳其语", "Q256", (), ("土耳其文",)),
    CommonLanguage("fas", "波斯语", "Q9168", ("Farsi",), ("法尔西语", "波斯文")),
    CommonLanguage("heb", "希伯来语", "Q9288", (), ("希伯来文",)),
    CommonLanguage("swa", "斯瓦希里语", "Q7838", ("Swahili", "Kiswahili"), ()),
    CommonLanguage("ben", "孟加拉语", "Q9610", ("Bangla",), ()),
    CommonLanguage("urd", "乌尔都语", "Q1617", (), ()),
    CommonLanguage("pol", "波兰语", "Q809", (), ()),
    CommonLanguage("nld", "荷兰语", "Q7411", (), ()),
    CommonLanguage("ell", "希腊语", "Q36510", ("Greek", "Modern Greek"), ("现代希腊语",)),
    CommonLanguage("msa", "马来语", "Q9237", ("Malay", "Bahasa Melayu"), ()),
    CommonLanguage("tam", "泰米尔语", "Q5885", (), ()),
    CommonLanguage("yor", "约鲁巴语", "Q34311", (), ()),
    CommonLanguage("hau", "豪萨语", "Q56475", (), ()),
    CommonLanguage("amh", "阿姆哈拉语", "Q28244", (), ()),
    CommonLanguage("yue", "粤语", "Q9186", ("Cantonese",), ("广东话", "廣東話", "粤语（广东话）")),
    CommonLanguage("ukr", "乌克兰语", "Q8798", (), ()),
    CommonLanguage("swe", "瑞典语", "Q9027", (), ()),
    CommonLanguage("ces", "捷克语", "Q9056", (), ()),
    CommonLanguage("ron", "罗马尼亚语", "Q7913", (), ()),
    CommonLanguage("hun", "匈牙利语", "Q9067", (), ()),
    CommonLanguage("fin", "芬兰语", "Q1412", (), ()),
    CommonLanguage("dan", "丹麦语", "Q9035", (), ()),
    CommonLanguage("nor", "挪威语", "Q9043", (), ()),
    CommonLanguage("tel", "泰卢固语", "Q8097", (), ()),
    CommonLanguage("mar", "马拉地语", "Q1571", (), ()),
    CommonLanguage("guj", "古吉拉特语", "Q5137", (), ()),
    CommonLanguage("kan", "卡纳达语", "Q33673", (), ()),
    CommonLanguage("mal", "马拉雅拉姆语", "Q36236", (), ()),
    CommonLanguage("pan", "旁遮普语", "Q58635", ("Punjabi",), ()),
    CommonLanguage("nep", "尼泊尔语", "Q33823", ("Nepali",), ()),
    CommonLanguage("tgl", "他加禄语", "Q34057", (), ()),
    CommonLanguage("fil", "菲律宾语", "Q33298", (), ()),
    CommonLanguage("zul", "祖鲁语", "Q10179", (), ()),
    CommonLanguage("xho", "科萨语", "Q13218", (), ()),
    CommonLanguage("ibo", "伊博语", "Q33578", (), ()),
    CommonLanguage("srp", "塞尔维亚语", "Q9299", (), ()),
    CommonLanguage("hrv", "克罗地亚语", "Q6654", (), ()),
    CommonLanguage("bul", "保加利亚语", "Q7918", (), ()),
    CommonLanguage("slv", "斯洛文尼亚语", "Q9063", (), ()),
    CommonLanguage("est", "爱沙尼亚语", "Q9072", (), ()),
    CommonLanguage("cat", "加泰罗尼亚语", "Q7026", (), ()),
    CommonLanguage("eus", "巴斯克语", "Q8752", (), ()),
    CommonLanguage("glg", "加利西亚语", "Q9307", (), ()),
    CommonLanguage("afr", "南非荷兰语", "Q14196", (), ()),
    CommonLanguage("uzb", "乌兹别克语", "Q9264", (), ()),
    CommonLanguage("mon", "蒙古语", "Q9246", (), ()),
    CommonLanguage("aze", "阿塞拜疆语", "Q9292", (), ()),
    CommonLanguage("kat", "格鲁吉亚语", "Q8108", (), ()),
    CommonLanguage("hye", "亚美尼亚语", "Q8785", (), ()),
    CommonLanguage("jav", "爪哇语", "Q33549", (), ()),
    CommonLanguage("lat", "拉丁语", "Q397", (), ()),
    CommonLanguage("slk", "斯洛伐克语", None, (), ()),
    CommonLanguage("lit", "立陶宛语", None, (), ()),
    CommonLanguage("lav", "拉脱维亚语", None, (), ()),
    CommonLanguage("kaz", "哈萨克语", None, (), ()),
    CommonLanguage("bod", "藏语", None, (), ("藏文",)),
    CommonLanguage("uig", "维吾尔语", None, ("Uyghur",), ("维吾尔文",)),
    CommonLanguage("mya", "缅甸语", None, (), ()),
    CommonLanguage("khm", "高棉语", None, (), ("柬埔寨语",)),
    CommonLanguage("lao", "老挝语", None, (), ()),
    CommonLanguage("som", "索马里语", None, (), ()),
    CommonLanguage("sin", "僧伽罗语", None, (), ()),
    CommonLanguage("pus", "普什图语", None, ("Pashto",), ()),
    CommonLanguage("kin", "卢旺达语", None, (), ()),
)

# Extra index-only keys (not emitted as labels, to keep SKOS labels of distinct concepts apart):
# the ISO reference name of `cmn` is deliberately routed to the macrolanguage `zho`.
INDEX_ALIASES: dict[str, str] = {
    "mandarin chinese": "zho",
    "chinese (simplified)": "zho",
    "chinese (traditional)": "zho",
    "chinese mandarin": "zho",
}

# Index routing: names of these individual languages resolve to the macrolanguage instead.
ROUTED_CODES: dict[str, str] = {"cmn": "zho"}

_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")


@lru_cache(maxsize=1)
def _zh_catalogue() -> gettext.NullTranslations:
    """zh_CN translations of ISO 639-3 names shipped with pycountry (no-op if absent)."""
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=["zh_CN"],
                               fallback=True)


def _zh_names(english_name: str) -> list[str]:
    """Chinese names for an ISO 639-3 reference name from the iso-codes catalogue."""
    translated = _zh_catalogue().gettext(english_name)
    if translated == english_name:
        return []
    return [part.strip() for part in translated.split(";") if part.strip()]


def _common_by_code() -> dict[str, CommonLanguage]:
    return {entry.code: entry for entry in COMMON_LANGUAGES}


def language_iri(code: str) -> URIRef:
    """The lexvo IRI of an ISO 639-3 code."""
    return LEXVO[code]


def language_triples() -> Iterator[Triple]:
    """Yield rdflib triples for the scheme and every ISO 639-3 language in pycountry."""
    yield LANGUAGE_SCHEME, RDF.type, SKOS.ConceptScheme
    yield LANGUAGE_SCHEME, DCTERMS.title, Literal("medkg language vocabulary (ISO 639-3)", lang="en")
    yield LANGUAGE_SCHEME, DCTERMS.title, Literal("medkg 语言词表（ISO 639-3）", lang="zh")
    common = _common_by_code()
    for lang in pycountry.languages:
        code = lang.alpha_3
        node = LEXVO[code]
        yield node, RDF.type, SKOS.Concept
        yield node, RDF.type, KGO.Language
        yield node, SKOS.inScheme, LANGUAGE_SCHEME
        yield node, SKOS.notation, Literal(code)
        yield node, SKOS.prefLabel, Literal(lang.name, lang="en")
        entry = common.get(code)
        zh_names = _zh_names(lang.name)
        if entry is not None:
            yield node, SKOS.prefLabel, Literal(entry.zh, lang="zh")
            alt_zh = [n for n in (*entry.alt_zh, *zh_names) if n != entry.zh]
            for alt in dict.fromkeys(alt_zh):
                yield node, SKOS.altLabel, Literal(alt, lang="zh")
            for alt in dict.fromkeys(entry.alt_en):
                if alt != lang.name:
                    yield node, SKOS.altLabel, Literal(alt, lang="en")
            if entry.wikidata:
                yield node, OWL.sameAs, WD[entry.wikidata]
        elif zh_names:
            yield node, SKOS.prefLabel, Literal(zh_names[0], lang="zh")
            for alt in zh_names[1:]:
                yield node, SKOS.altLabel, Literal(alt, lang="zh")


def _norm(name: str) -> str:
    return " ".join(name.casefold().split())


@lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}

    def add(name: str, code: str) -> None:
        key = _norm(name)
        if key:
            index.setdefault(key, ROUTED_CODES.get(code, code))

    # 1. curated table (and its index-only aliases) wins every collision
    for alias, code in INDEX_ALIASES.items():
        add(alias, code)
    for entry in COMMON_LANGUAGES:
        lang = pycountry.languages.get(alpha_3=entry.code)
        add(lang.name, entry.code)
        add(_QUALIFIER.sub("", lang.name), entry.code)
        add(entry.zh, entry.code)
        for alt in (*entry.alt_en, *entry.alt_zh):
            add(alt, entry.code)
    # 2. every ISO 639-3 reference / common name
    for lang in pycountry.languages:
        add(lang.name, lang.alpha_3)
        common_name = getattr(lang, "common_name", None)
        if common_name:
            add(common_name, lang.alpha_3)
    # 3. names without a trailing qualifier ("Malay (individual language)" -> "malay")
    for lang in pycountry.languages:
        add(_QUALIFIER.sub("", lang.name), lang.alpha_3)
    # 4. Chinese names from the iso-codes zh_CN catalogue
    for lang in pycountry.languages:
        for zh in _zh_names(lang.name):
            add(zh, lang.alpha_3)
    return index


def language_index() -> dict[str, str]:
    """Map lower-cased English/Chinese language names and adjectives to ISO 639-3 codes.

    "chinese", "中文", "汉语", "mandarin" -> "zho"; "arabic", "阿拉伯语" -> "ara";
    "cantonese", "粤语" -> "yue".  Keys are case-folded with collapsed whitespace.  The
    dict is built once and cached; treat it as read-only (a copy is not made).
    """
    return _index()


def language_code(name: str) -> str | None:
    """Resolve a language name as printed in a catalog ("Chinese", " 阿拉伯语 ") to a code.

    Also accepts the forms "Arabic language", "阿拉伯文" (via the table) and strips a
    trailing "language"/"语言" word when the full form is unknown.
    """
    index = _index()
    key = _norm(name)
    if key in index:
        return index[key]
    for suffix in (" language", "语言"):
        if key.endswith(suffix) and key[: -len(suffix)].strip() in index:
            return index[key[: -len(suffix)].strip()]
    return None
