"""Curation aids over a built store: why a node exists (:func:`explain`) and what a curator
should look at (:func:`review`).

Both re-run the pipeline on the raw lines each ``kgo:CatalogEntry`` keeps, so they explain what is
in the store, not what a catalog file on disk says now.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kg.link import FAMILY_OF, Edge, Linked, link
from kg.link.catalog import CatalogNames, described_names, distinctive, record_names
from kg.link.resolve import name_key, resolve
from kg.namespaces import sparql_prologue
from kg.parse import Entry, Evidence, learn_record, parse_record
from kg.read import Record
from kg.resources import cache_dir
from kg.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredRecord:
    iri: str
    path: str
    line: int
    header: str
    description: str

    def record(self) -> Record:
        return Record(self.path, self.line, self.header, self.description)


def _rows(store: Store, sparql: str, **subs: object) -> list[dict[str, str | None]]:
    result = store.query(sparql_prologue() + sparql, substitutions=subs or None)
    names = [v.value for v in result.variables]  # type: ignore[union-attr]
    return [{n: (r[n].value if r[n] is not None else None) for n in names} for r in result]  # type: ignore[union-attr]


# a record's file and line are read in the file's own graph: an entry written identically in two
# files is one record with a file and a line in each, which the union would pair crosswise (its
# text is the same in both: read in the union, as an OPTIONAL inside the GRAPH group made Oxigraph
# evaluate that group for every record before the join, 1.9 s at 10^5 entries)
_RECORD_TEXT = """
  ?r a kgo:CatalogEntry ; kgo:rawHeader ?h . OPTIONAL { ?r kgo:rawDescription ?d }
  GRAPH ?g { ?r kgo:sourceFile ?file ; kgo:sourceLine ?line }"""


def _records(rows: list[dict[str, str | None]]) -> list[StoredRecord]:
    recs = {StoredRecord(r["r"] or "", r["file"] or "", int(r["line"] or 0), r["h"] or "", r["d"] or "")
            for r in rows}
    return sorted(recs, key=lambda r: (r.path, r.line, r.iri))


def stored_records(store: Store) -> list[StoredRecord]:
    """Every catalog record the store keeps, once for each file and line it came from, in catalog order."""
    # the texts and the file lines as two sub-selects, which Oxigraph joins by hash (2x faster
    # than the GRAPH pattern looked up for each record, at 10^5 entries)
    return _records(_rows(store, """SELECT ?r ?file ?line ?h ?d WHERE {
        { SELECT ?r ?h ?d WHERE { ?r a kgo:CatalogEntry ; kgo:rawHeader ?h . OPTIONAL { ?r kgo:rawDescription ?d } } }
        { SELECT ?r ?file ?line WHERE { GRAPH ?g { ?r kgo:sourceFile ?file ; kgo:sourceLine ?line } } }
    }"""))


RECORDS_BY_IRI = 500  # record IRIs a query reads by VALUES; more than 20 batches: all records are read


def records_of(store: Store, iris: set[str]) -> list[StoredRecord]:
    """The stored records with these IRIs, in catalog order."""
    from kg.query.params import iri_values

    if len(iris) > 20 * RECORDS_BY_IRI:
        return [r for r in stored_records(store) if r.iri in iris]
    return _records([row for values in iri_values(sorted(iris), RECORDS_BY_IRI) for row in _rows(
        store, f"SELECT ?r ?file ?line ?h ?d WHERE {{ VALUES ?r {{ {values} }} {_RECORD_TEXT} }}")])


def catalog_evidence(records: list[StoredRecord]) -> Evidence:
    """What the catalog as a whole teaches the parser (recurring topics, names, the resource fields
    that parse without a guess), as at ingest (:func:`kg.parse.learn_fields`)."""
    ev = Evidence.default()
    for r in records:
        ev.observe(r.header, r.description)
    for r in records:  # in catalog order, as ingest learns them
        learn_record(r.record(), ev)
    return ev


EVIDENCE_CACHE_VERSION = 1
EVIDENCE_CACHE_KEEP = 8  # cached evidence files kept (the newest)


def evidence_cache_key(store: Store) -> str | None:
    """A key for the stored catalog's evidence: the catalog graphs' files, content and pipeline
    hashes, and this medkg's own pipeline hash (the code that learns the evidence); None for a
    store without catalog graphs."""
    from kg.ingest import pipeline_hash
    from kg.map.iri import graph_iri

    prefix = graph_iri("x").rsplit("/", 1)[0] + "/"
    rows = _rows(store, """SELECT ?g ?h ?p ?src WHERE { GRAPH ?g {
        ?g kgo:contentHash ?h OPTIONAL { ?g kgo:pipelineHash ?p } OPTIONAL { ?g dcterms:source ?src } } }""")
    graphs = sorted((r["g"] or "", r["h"] or "", r["p"] or "", r["src"] or "") for r in rows
                    if (r["g"] or "").startswith(prefix))
    if not graphs:
        return None
    text = json.dumps([EVIDENCE_CACHE_VERSION, pipeline_hash(), graphs])
    return hashlib.sha256(text.encode()).hexdigest()


def stored_evidence(store: Store, records: list[StoredRecord] | None = None) -> Evidence:
    """:func:`catalog_evidence` of the store's records (``records``, when the caller holds them
    all), kept in the cache directory (:func:`kg.resources.cache_dir`) under the catalog's
    :func:`evidence_cache_key`: learning it reads every record again (12 s at 10^5 entries)."""
    key = evidence_cache_key(store)
    path = cache_dir() / f"evidence-{key}.json" if key else None
    if path is not None:
        try:
            return Evidence.from_json(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            pass  # not cached yet, or unreadable: learned again and written over
    ev = catalog_evidence(records if records is not None else stored_records(store))
    if path is not None:
        _cache_write(path, json.dumps(ev.to_json(), ensure_ascii=False))
    return ev


def _cache_write(path: Path, text: str) -> None:
    """Write a cache file atomically, keeping the newest few; a cache that cannot be written is
    only a cost (the evidence is learned again next time), never an error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)
        old = sorted(path.parent.glob("evidence-*.json"), key=lambda f: f.stat().st_mtime, reverse=True)
        for f in old[EVIDENCE_CACHE_KEEP:]:
            f.unlink(missing_ok=True)
    except OSError as err:
        log.debug("evidence cache not written: %s", err)


def catalog_names(records: list[StoredRecord], ev: Evidence) -> CatalogNames:
    """The datasets the stored entries describe or introduce, as at ingest (:mod:`kg.link.catalog`)."""
    return CatalogNames.from_pairs(p for r in records for p in record_names(r.record(), ev))


def linked_names(store: Store, ev: Evidence, records: list[StoredRecord] | None = None) -> CatalogNames:
    """The catalog names ingest linked with: those the catalog graphs record (kg.ingest), else
    (a store built before graphs recorded them) :func:`catalog_names` of the stored records."""
    from kg.ingest import stored_names

    pairs = stored_names(store, ())
    if pairs:
        return CatalogNames.from_pairs(pairs)
    return catalog_names(records if records is not None else stored_records(store), ev)


def relink(
    records: list[StoredRecord], ev: Evidence | None = None, names: CatalogNames | None = None,
) -> Iterator[tuple[StoredRecord, Entry, Linked]]:
    """Parse and link stored records again, one at a time, with the evidence and the catalog names
    of all of them (as at ingest) unless ``ev`` and ``names`` (the whole catalog's) are given."""
    if ev is None:
        ev = catalog_evidence(records)
    if names is None:
        names = catalog_names(records, ev)
    for r in records:
        e = parse_record(r.record(), ev)
        if isinstance(e, Entry):
            yield r, e, link(e, names)  # as ingest links


# ---------------------------------------------------------------- explain


@dataclass
class Explanation:
    iri: str
    label: str
    classes: list[str]
    key: str
    entries: list[dict[str, object]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
    vocabulary: bool = False
    more: int = 0  # further records that may link the node, not examined (a limit was reached)

    def to_json(self) -> dict[str, object]:
        return asdict(self)


_LABELS = "rdfs:label|skos:prefLabel|skos:altLabel"


def find_nodes(store: Store, name: str) -> list[tuple[str, str]]:
    """(IRI, label) of nodes whose IRI is ``name`` or whose label has the same name key."""
    if re.match(r"^https?://", name):
        rows = _rows(store, "SELECT ?x ?l WHERE { ?x rdfs:label|skos:prefLabel ?l } LIMIT 1", x=_iri(name))
        return [(name, rows[0]["l"] or name)] if rows else []
    key = name_key(name)
    # the distinct labels first (name keys are computed here, not in SPARQL: NFKC, case folding),
    # then the nodes of the few that match: 4x faster at 10^5 entries than the nodes of every label
    result = store.query(sparql_prologue() + f"SELECT DISTINCT ?l WHERE {{ ?x {_LABELS} ?l }}")
    labels = sorted({r["l"] for r in result if name_key(r["l"].value) == key}, key=str)  # type: ignore[index, union-attr]
    found: dict[str, str] = {}
    for label in labels:
        for r in _rows(store, f"""
            SELECT DISTINCT ?x ?l WHERE {{
              ?x {_LABELS} ?l .
              FILTER(isIRI(?x))
              FILTER NOT EXISTS {{ ?x a kgo:CatalogEntry }} FILTER NOT EXISTS {{ ?x a kgo:RejectedEntry }}
            }}""", l=label):
            found.setdefault(r["x"] or "", r["l"] or "")
    return sorted(found.items())


def _iri(value: str) -> object:
    import pyoxigraph as ox

    return ox.NamedNode(value)


# The records whose linking can touch a node: an entry's edges start at the node it describes (M),
# at what M introduces, at a member of M's model family or at M's venue edition (kg.link), so the
# entries behind a node are among the records describing a node within those two steps of it. Only
# they are linked again: at 10^5 entries linking every record took 100 s, whatever the node. Each
# path is its own query: as branches of one UNION, Oxigraph evaluated them before binding ?x
# (1 s at 10^5 entries, against 1 ms for the eight queries).
_CANDIDATE_PATHS = (
    "?r kgo:describes ?x",
    "?m ?p ?x . ?r kgo:describes ?m",
    "?x ?p ?m . ?r kgo:describes ?m",
    "?y ?q ?x . ?m kgo:introduces ?y . ?r kgo:describes ?m",
    "?x ?q ?y . ?m kgo:introduces ?y . ?r kgo:describes ?m",
    "?y ?q ?x . ?y kgo:partOfFamily ?m . ?r kgo:describes ?m",
    "?x ?q ?y . ?y kgo:partOfFamily ?m . ?r kgo:describes ?m",
    "?y kgo:series ?x . ?m kgo:publishedIn ?y . ?r kgo:describes ?m",
)


def candidate_records(store: Store, iri: str) -> set[str]:
    """IRIs of the catalog records whose linking may have produced the node ``iri`` or an edge of it."""
    return {r["r"] or "" for path in _CANDIDATE_PATHS
            for r in _rows(store, f"SELECT DISTINCT ?x ?r WHERE {{ {path} }}", x=_iri(iri))}


def explain(store: Store, name: str, limit: int | None = None) -> list[Explanation]:
    """The entries and rules behind each node named ``name``: at most ``limit`` entries a node
    (None or 0: all), with ``more`` the number of further records that may link it (``links`` are
    those of the entries shown)."""
    limit = limit or None
    nodes = find_nodes(store, name)
    if not nodes:
        return []
    ev = stored_evidence(store)
    names = linked_names(store, ev)
    out = []
    for iri, label in nodes:
        classes = sorted({(r["c"] or "").rsplit("#", 1)[-1] for r in _rows(
            store, "SELECT DISTINCT ?x ?c WHERE { ?x a ?c }", x=_iri(iri))})
        vocab = bool(_rows(store, "SELECT ?x ?s WHERE { ?x skos:inScheme ?s } LIMIT 1", x=_iri(iri)))
        ex = Explanation(iri, label, classes, name_key(label), vocabulary=vocab)
        todo = records_of(store, candidate_records(store, iri))
        for rec, _entry, linked in relink(todo, ev, names):
            if limit is not None and len(ex.entries) >= limit:
                ex.more = len(todo) - todo.index(rec)
                break
            rules = [f"node: {n.rule}" for n in linked.nodes if n.iri == iri and n.rule]
            edges = [e for e in linked.edges if iri in (e.subject, e.object)]
            if not rules and not edges:
                continue
            ex.entries.append({"source": f"{rec.path}:{rec.line}", "header": rec.header,
                               "rules": rules + [f"edge: {_edge_text(e, iri)} — {e.rule}" for e in edges]})
            for e in edges:
                other = e.object if e.subject == iri else e.subject
                ex.links.append({"direction": "out" if e.subject == iri else "in",
                                 "property": _short(e.predicate), "other": other,
                                 "source": f"{rec.path}:{rec.line}", "rule": e.rule})
        out.append(ex)
    return out


def _edge_text(e: Edge, iri: str) -> str:
    """``kgo:addressesTask ← dataset:cmb`` seen from ``iri``: the property and the other end."""
    if e.subject == iri:
        return f"{_short(e.predicate)} → {_short(e.object)}"
    return f"{_short(e.predicate)} ← {_short(e.subject)}"


def _short(iri: str) -> str:
    from kg.namespaces import prefixes

    for k, v in sorted(prefixes().items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(v):
            return f"{k}:{iri[len(v):]}"
    return iri


# ---------------------------------------------------------------- review


@dataclass
class ReviewItem:
    source: str  # path:line
    kind: str  # guess | mismatch | ambiguous-name | near-miss | no-task-or-language | rejected
    message: str

    def to_json(self) -> dict[str, str]:
        return asdict(self)


# Bilingual key terms for the title/description consistency check (title in Chinese, description in
# English). Generic words (医学, 临床, 模型, 基准 …) are left out on purpose: they match everything.
GLOSSARY: dict[str, str] = {
    "时间序列": r"time[- ]series", "表征": r"representation", "特征归因": r"feature (?:attribution|importance)",
    "解释": r"expla", "偏倚": r"bias", "偏差": r"bias", "校准": r"calibrat", "拒答": r"abstain|abstention",
    "问答": r"question|QA\b|answer", "心理健康": r"mental health", "影像": r"imag|radiolog|scan",
    "分割": r"segment", "诊断": r"diagnos", "推理": r"reason", "报告生成": r"report", "多模态": r"multimodal",
    "阿拉伯语": r"Arabic", "中文": r"Chinese", "英语": r"English", "泄漏": r"leak|contaminat",
    "实时": r"live|real-time",
    "错误预设": r"presupposition|false premise", "患者": r"patient", "癌症": r"cancer", "对抗": r"adversarial|stress",
    "专家": r"expert", "知识": r"knowledge", "多轮": r"multi-turn|multi-round", "药物": r"drug|medication",
    "基因": r"gene|genom", "病理": r"patholog", "心电": r"ECG|electrocardio", "电子病历": r"EHR|electronic health",
    "放射": r"radiolog", "皮肤": r"derma|skin", "眼科": r"ophthalm|retina|fundus", "手术": r"surg",
    "隐私": r"privacy", "公平": r"fair", "安全": r"safe", "幻觉": r"hallucinat", "检索": r"retriev",
    "摘要": r"summar", "对话": r"dialog|conversation", "预测": r"predict|forecast", "迁移": r"transfer",
    "通用": r"general", "生物医学": r"biomedical",
}


def title_description_mismatch(entry: Entry) -> str | None:
    """A Chinese title whose key terms the English description never mentions."""
    if not entry.description or not re.search(r"[\u3400-\u9fff]", entry.title):
        return None
    terms = [t for t in GLOSSARY if t in entry.title]
    if len(terms) < 2:
        return None
    if any(re.search(GLOSSARY[t], entry.description, re.I) for t in terms):
        return None
    return (f"title and description seem to be about different works: the title's terms "
            f"({', '.join(terms)}) do not occur in the description")


def review(store: Store) -> list[ReviewItem]:
    items: list[ReviewItem] = []
    records = stored_records(store)
    ev = stored_evidence(store, records)
    relinked = list(relink(records, ev, linked_names(store, ev, records)))
    for rec, entry, linked in relinked:
        where = f"{rec.path}:{rec.line}"
        for g in entry.guesses:
            items.append(ReviewItem(where, "guess", g))
        mismatch = title_description_mismatch(entry)
        for note in linked.notes:
            items.append(ReviewItem(where, "mismatch", note))
        if mismatch:
            intro = [e.object.rsplit("/", 1)[-1] for e in linked.edges if e.predicate.endswith("#introduces")]
            extra = f"; the description introduces {', '.join(intro)}" if intro else ""
            items.append(ReviewItem(where, "mismatch", mismatch + extra))
    # one scan for what has a task or a language (a query per record took minutes at 10^5 entries)
    placed = {r["x"] for r in _rows(store, """SELECT DISTINCT ?x WHERE {
        { ?x kgo:addressesTask ?t } UNION { ?x kgo:language ?l } }""")}
    for rec, _entry, linked in relinked:
        where = f"{rec.path}:{rec.line}"
        if linked.main.iri not in placed:
            items.append(ReviewItem(where, "no-task-or-language",
                                    f"{linked.main.label!r} has no task and no language"))
    items += ambiguous_names(relinked)
    items += near_misses(store, relinked)
    for r in _rows(store, """SELECT DISTINCT ?file ?line ?why WHERE { ?r a kgo:RejectedEntry ;
            kgo:sourceFile ?file ; kgo:sourceLine ?line ; kgo:rejectionReason ?why }"""):
        items.append(ReviewItem(f"{r['file']}:{r['line']}", "rejected", r["why"] or ""))
    order = {"rejected": 0, "mismatch": 1, "guess": 2, "ambiguous-name": 3, "near-miss": 4,
             "no-task-or-language": 5}
    return sorted(items, key=lambda i: (order.get(i.kind, 9), _source_key(i.source), i.message))


def _source_key(source: str) -> tuple[str, int]:
    path, _, line = source.rpartition(":")
    return path, int(line) if line.isdigit() else 0


def ambiguous_names(relinked: list[tuple[StoredRecord, Entry, Linked]]) -> list[ReviewItem]:
    """Names that one entry gives a dataset and another a model or a method: a paper naming one
    links to neither (:mod:`kg.link.catalog`), so a curator should rename one of them."""
    uses: dict[str, list[tuple[str, str, str]]] = {}  # name key → (path:line, name, class)
    for rec, entry, _linked in relinked:
        for name, cls in described_names(entry):
            if distinctive(name):
                uses.setdefault(name_key(name), []).append((f"{rec.path}:{rec.line}", name, cls))
    items = []
    for found in uses.values():
        families = {FAMILY_OF[cls] for _, _, cls in found}
        if "dataset" not in families or len(families) == 1 or resolve(found[0][1], "dataset")[1]:
            continue  # one kind of thing, or a vocabulary's dataset (the vocabulary decides)
        for where, name, cls in found:
            other = next((c, w) for w, _, c in found if FAMILY_OF[c] != FAMILY_OF[cls])
            items.append(ReviewItem(where, "ambiguous-name",
                                    f"{name!r} is a {cls} here and a {other[0]} at {other[1]}: "
                                    f"a paper naming it links to neither"))
    return items


NEAR_MISS = 0.86  # difflib's ratio from which two name keys of one family count as a near miss


def near_misses(store: Store, relinked: list[tuple[StoredRecord, Entry, Linked]]) -> list[ReviewItem]:
    """Names of catalog nodes that almost match another node of the same family but were not merged."""
    labels: dict[str, dict[str, set[str]]] = {}  # family → key → IRIs
    for r in _rows(store, "SELECT DISTINCT ?x ?l WHERE { ?x rdfs:label|skos:prefLabel|skos:altLabel ?l "
                          "FILTER(isIRI(?x)) }"):
        iri, label = r["x"] or "", r["l"] or ""
        fam = iri.rsplit("/", 2)[-2] if iri.count("/") > 3 else ""
        if fam in ("dataset", "model", "method") and label:
            labels.setdefault(fam, {}).setdefault(name_key(label), set()).add(iri)
    wanted: dict[str, set[str]] = {}  # family → keys of the nodes the entries describe
    for _rec, _entry, linked in relinked:
        for node in linked.nodes:
            fam = FAMILY_OF.get(node.classes[0]) if node.classes else None
            if fam in labels and node.describe and len(key := name_key(node.label)) >= 4:
                wanted.setdefault(fam, set()).add(key)
    close = {fam: close_keys(sorted(keys), list(labels[fam])) for fam, keys in wanted.items()}
    items = []
    seen: set[tuple[str, str]] = set()
    for rec, _entry, linked in relinked:
        for node in linked.nodes:
            fam = FAMILY_OF.get(node.classes[0]) if node.classes else None
            if fam not in close or not node.describe:
                continue
            for other_key, ratio in close[fam].get(name_key(node.label), ()):
                iris = labels[fam][other_key]
                if node.iri in iris or (node.iri, other_key) in seen:
                    continue
                seen.add((node.iri, other_key))
                items.append(ReviewItem(
                    f"{rec.path}:{rec.line}", "near-miss",
                    f"{node.label!r} ({node.iri.rsplit('/', 1)[-1]}) almost matches {other_key!r} "
                    f"({', '.join(sorted(i.rsplit('/', 1)[-1] for i in iris))}) but was not merged "
                    f"(similarity {ratio:.2f})"))
    return items


def close_keys(keys: list[str], others: list[str], block: int = 2000) -> dict[str, list[tuple[str, float]]]:
    """Key → the other keys (not itself) whose difflib ratio to it is at least :data:`NEAR_MISS`,
    with that ratio. Every pair is screened by rapidfuzz's normalised Indel similarity in C++
    first, which is never below difflib's ratio (its matching characters are a common subsequence
    at most as long as the longest): 1.7 billion pairs of 10^5 entries' dataset names take
    seconds, where difflib alone would take days.

    >>> close_keys(["genevqa1", "medqa"], ["genevqa1", "genevqa2", "medqa", "pubmedqa", "cmb"])
    {'genevqa1': [('genevqa2', 0.875)]}
    """
    import numpy as np
    from rapidfuzz import fuzz, process

    out: dict[str, list[tuple[str, float]]] = {}
    for start in range(0, len(keys), block):
        part = keys[start:start + block]
        # a cut-off one point lower than the ratio: rounding never drops a pair difflib keeps
        scores = process.cdist(part, others, scorer=fuzz.ratio, score_cutoff=100 * NEAR_MISS - 1,
                               dtype=np.uint8, workers=-1)
        for i, j in zip(*np.nonzero(scores), strict=True):
            key, other = part[i], others[j]
            if key != other and (ratio := difflib.SequenceMatcher(None, key, other).ratio()) >= NEAR_MISS:
                out.setdefault(key, []).append((other, ratio))
    return out


def iter_text(items: list[ReviewItem]) -> Iterator[str]:
    for i in items:
        yield f"{i.source}: {i.kind}: {i.message}"
