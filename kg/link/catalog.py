"""Catalog names: the datasets and benchmarks other entries of the catalog describe or introduce,
so that a paper naming one links to it (``kgo:usesDataset``) even when no vocabulary knows it.

The names come from the whole catalog before any entry is linked (a paper may come before the
dataset it uses), and only names that cannot be ordinary words qualify: a name with a digit, a
hyphen or an inner capital (``FooQA``, ``MIMIC-CXR``, ``cMedQA3``), three or more words, or (a
Chinese name) five or more characters. A name the model vocabulary knows, a name that one entry gives a model and
another a dataset, and a vocabulary's own concept (matched by the vocabulary already) are left out.

Which names a file's linking can depend on is decided without linking it: a name counts for a
file when its name key occurs in the name-key form of one of the file's records (an Aho-Corasick
scan over all names at once; a superset of what the linker's matcher finds). Their digest is
recorded with the file's graph, so a file is linked again exactly when one of those names changes.

>>> from kg.parse import parse_header
>>> names = CatalogNames.of([
...     parse_header("数据资源TextQA datasetQuestions开放访问 FooQA-7"),
...     parse_header("数据资源TextQA datasetQuestions开放访问 Radiology"),
...     parse_header("数据资源TextModelWeights开放访问 BarNet")])
>>> sorted(names.labels), [h.label for h in names.find("We evaluate on FooQA 7 and radiology.")]
(['FooQA-7'], ['FooQA 7'])
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import cache

from kg.link.resolve import name_key, resolve
from kg.parse import Entry, Evidence, parse_record, uses_fields
from kg.parse.header import HeaderError, _name_like, parse_fields
from kg.parse.text import has_cjk
from kg.read import Record


class CatalogNames:
    """Label → IRI of the datasets and benchmarks the catalog describes, with a matcher over them."""

    def __init__(self, labels: Mapping[str, str] | None = None) -> None:
        self.labels: dict[str, str] = dict(labels or {})
        self._matcher = None
        self._automaton = None
        self._keyed: dict[str, list[tuple[str, str]]] | None = None

    @classmethod
    def of(cls, entries: Iterable[Entry]) -> CatalogNames:
        """The qualifying names of what ``entries`` describe (resources) or introduce (papers)."""
        return cls.from_pairs(p for e in entries for p in described_names(e))

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]]) -> CatalogNames:
        """From (name, class) pairs (see :func:`described_names`), in any order: every spelling
        of a qualifying name is kept.

        >>> sorted(CatalogNames.from_pairs([("FooQA", "Dataset"), ("FOOQA", "Benchmark"),
        ...                                 ("BarNet", "Dataset"), ("Bar-Net", "Model")]).labels)
        ['FOOQA', 'FooQA']
        """
        spellings: dict[str, set[str]] = {}
        classes: dict[str, set[str]] = {}
        for name, kind in pairs:
            key = name_key(name)
            if not key:
                continue
            spellings.setdefault(key, set()).add(name)
            classes.setdefault(key, set()).add(kind)
        labels: dict[str, str] = {}
        for key, names in spellings.items():
            if not classes[key] <= {"Dataset", "Benchmark"}:
                continue  # a name some entry gives a model or a method is ambiguous
            first = min(names)
            iri, known = resolve(first, "dataset")  # the IRI depends on the key alone
            if known or resolve(first, "model")[1] or key in _concept_keys():
                continue
            labels.update((name, iri) for name in names if distinctive(name))
        return cls(labels)

    def __len__(self) -> int:
        return len(self.labels)

    def __bool__(self) -> bool:
        return bool(self.labels)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CatalogNames) and self.labels == other.labels

    def __getstate__(self) -> dict[str, object]:  # the matcher is rebuilt where it is used
        return {"labels": self.labels}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.labels = state["labels"]  # type: ignore[assignment]
        self._matcher = self._automaton = self._keyed = None

    def digest(self, keys: Iterable[str] | None = None) -> str:
        """SHA-256 of the names (only those with a name key in ``keys`` when given), spelled as in
        the catalog, and their IRIs; "" when there are none.

        >>> names = CatalogNames({"FooQA": "x", "BarBench": "y"})
        >>> names.digest({"fooqa"}) == CatalogNames({"FooQA": "x"}).digest(), names.digest(set())
        (True, '')
        """
        if keys is None:
            items = sorted(self.labels.items())
        else:
            by_key = self._by_key()
            items = sorted(item for key in set(keys) for item in by_key.get(key, ()))
        if not items:
            return ""
        h = hashlib.sha256()
        for label, iri in items:
            h.update(label.encode() + b"\0" + iri.encode() + b"\n")
        return h.hexdigest()

    def _by_key(self) -> dict[str, list[tuple[str, str]]]:
        """Name key → its (label, IRI) pairs, made once: a digest is asked for every file."""
        if self._keyed is None:
            self._keyed = {}
            for label, iri in self.labels.items():
                self._keyed.setdefault(name_key(label), []).append((label, iri))
        return self._keyed

    def occurring(self, texts: Iterable[str]) -> set[str]:
        """Name keys of the names whose key occurs in the name-key form of one of ``texts``.

        >>> sorted(CatalogNames({"FooQA-7": "x", "BarBench": "y"}).occurring(["论文…AIFOOQA 7：基准"]))
        ['fooqa7']
        """
        if not self.labels:
            return set()
        if self._automaton is None:
            import ahocorasick

            automaton = ahocorasick.Automaton()
            for label in self.labels:
                key = name_key(label)
                if key:
                    automaton.add_word(key, key)
            automaton.make_automaton()
            self._automaton = automaton
        # one pass over all texts: no name key holds the NUL between them, so none spans two
        return {key for _end, key in self._automaton.iter(name_key("\0".join(texts)))}

    def find(self, text: str) -> Iterator:  # of kg.link.extract.Hit
        if not self.labels:
            return iter(())
        if self._matcher is None:
            from kg.link.extract import Matcher

            self._matcher = Matcher(self.labels)
        return self._matcher.find(text)


def described_names(e: Entry) -> list[tuple[str, str]]:
    """(name, class) of what an entry describes (a resource) or introduces (a paper). A paper's
    "method" is left out: it is also what the linker calls a thing whose kind no phrase states
    ("We introduce X, comprising …"), too weak to make X's name ambiguous.

    >>> from kg.parse import parse_header
    >>> described_names(parse_header("论文ICLR 2026 Poster2026 年医学 AI LiveClin:无泄漏的实时临床基准",
    ...     "We introduce LiveClin, a live benchmark designed for clinical practice."))
    [('LiveClin', 'Benchmark')]
    """
    from kg.link import Linked, main_node, resource_class
    from kg.link.extract import introduced

    if e.kind == "resource":
        return [(e.name, resource_class(e.resource_type))] if e.name else []
    return [(name, kind) for name, kind, _rule in introduced(Linked(e, "", main_node(e))) if kind != "Method"]


def record_names(r: Record, ev: Evidence) -> list[tuple[str, str]]:
    """:func:`described_names` of a catalog record parsed with the whole catalog's evidence (a
    resource's header alone says what it describes: its description is not parsed)."""
    from kg.link import resource_class

    if uses_fields(r):
        try:
            f = parse_fields(r.header, ev)
        except HeaderError:
            return []
        return [(f.name, resource_class(f.resource_type))] if f.name else []
    e = parse_record(r, ev)
    return described_names(e) if isinstance(e, Entry) else []


_WORD = re.compile(r"[^\s]+")


def distinctive(name: str) -> bool:
    """Whether a name cannot be an ordinary word or phrase of a description.

    >>> [distinctive(n) for n in ("FooQA", "MIMIC-CXR", "CMB", "Radiology", "Medical Images",
    ...                           "Open Clinical Notes Corpus", "中文医学问答", "医学影像", "QA")]
    [True, True, True, False, False, True, True, False, False]
    """
    if has_cjk(name):
        return sum(1 for c in name if not c.isspace()) >= 5
    words = _WORD.findall(name)
    return len(words) >= 3 or any(_name_like(w) for w in words)


@cache
def _concept_keys() -> frozenset[str]:
    """Name keys of the task, modality, topic and language labels: never a catalog name."""
    from kg.link.vocab import vocabulary

    keys: set[str] = set()
    for voc in ("tasks", "modalities", "topics"):
        keys |= {name_key(label) for label in vocabulary(voc).index}
    return frozenset(keys)
