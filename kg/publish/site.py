"""The static linked-data site: one page per resource with its Turtle and JSON-LD beside it,
an index per class and per IRI family, the dumps, the VoID file, the ontology (Turtle and an
HTML page generated from it) and the overview map.

Everything is relative-linked and self-contained (no script, font or style from elsewhere), so
the site works from ``file://`` and from any static host. Catalog text is HTML-escaped by Jinja2's
autoescape; JSON-LD embedded in pages has ``<``, ``>`` and ``&`` escaped.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from kg.export import export_prefixes, jsonld
from kg.export.schema_org import SchemaOrgView
from kg.namespaces import DCTERMS, KGO, RDF, RDFS, SKOS, XSD, base
from kg.publish.paths import SitePaths, rel, root_prefix
from kg.publish.source import Source

MARKER = ".medkg-site"
MAX_INCOMING = 1000  # links-in shown per predicate on one page
SAFE_SCHEMES = ("http://", "https://", "ftp://", "mailto:")
TITLE_PREDICATES = (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel", DCTERMS + "title")
FIRST = [RDF + "type", RDFS + "label", SKOS + "prefLabel", DCTERMS + "title", DCTERMS + "description"]


class PublishError(RuntimeError):
    """The site cannot be written (target is not a directory kg publish made …)."""


@dataclass
class PublishReport:
    out_dir: Path
    pages: list[str] = field(default_factory=list)
    resources: dict[str, str] = field(default_factory=dict)  # IRI -> page path
    map_page: str | None = None
    notes: list[str] = field(default_factory=list)


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("kg.publish", "templates"),
        autoescape=select_autoescape(["html"], default_for_string=True),
        trim_blocks=True, lstrip_blocks=True,
    )


def _human_size(n: int) -> str:
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


class Site:
    def __init__(self, store: object, root: Path, *, base_url: str | None, sparql_endpoint: str | None,
                 today: dt.date | None) -> None:
        self.store = store
        self.root = root
        self.base = base()
        self.base_url = base_url.rstrip("/") + "/" if base_url else None
        self.endpoint = sparql_endpoint
        self.paths = SitePaths(self.base)
        self.src = Source(store)
        self.env = _env()
        self.prefixes = export_prefixes(self.base)
        self.labels = self.src.labels()
        self.schema = SchemaOrgView.from_store(store)
        self.context = jsonld.load_context()
        self.report = PublishReport(root)
        from kg.export.void import _modified

        self.modified = _modified(today).isoformat()
        self.license = self._license()
        self.map_href: str | None = None
        self.class_pages: dict[str, str] = {}

    # -- helpers

    def _license(self) -> str:
        from kg.export.void import DEFAULT_LICENSE

        for r in self.store.query(  # type: ignore[attr-defined]
            "SELECT ?l WHERE { <https://w3id.org/medkg/ontology> <http://purl.org/dc/terms/license> ?l }"
        ):
            return r["l"].value
        return DEFAULT_LICENSE

    def compact(self, iri: str) -> str:
        """``prefix:local`` with the longest matching namespace, else the IRI itself."""
        best, shown = "", iri
        for name, ns in self.prefixes.items():
            if iri.startswith(ns) and len(ns) > len(best):
                local = iri[len(ns):]
                if local and all(c.isalnum() or c in "-_." for c in local):
                    best, shown = ns, f"{name}:{local}"
        return shown

    def write(self, path: str, data: str | bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            target.write_text(data, "utf-8")
        else:
            target.write_bytes(data)

    def render(self, path: str, template: str, **ctx: object) -> None:
        root = root_prefix(path)
        canonical = f"{self.base_url}{path}" if self.base_url else None
        html = self.env.get_template(template).render(
            root=root, canonical=canonical, license=self.license, modified=self.modified,
            map_href=self.map_href, **ctx,
        )
        self.write(path, html)
        self.report.pages.append(path)

    def value(self, term: object, page: str, *, long_text: bool = True, depth: int = 0) -> dict:
        if isinstance(term, ox.Literal):
            dtype = term.datatype.value if term.datatype else None
            shown = None if term.language or dtype in (XSD + "string", None) else self.compact(dtype)
            return {"kind": "literal", "text": term.value, "lang": term.language, "datatype": shown,
                    "long": long_text and len(term.value) > 160}
        if isinstance(term, ox.BlankNode):
            nested = []
            if depth < 4:
                groups: dict[str, list] = defaultdict(list)
                for t, _ in self.src.outgoing(term):
                    groups[t.predicate.value].append(self.value(t.object, page, depth=depth + 1))
                nested = [(self.predicate(p, page), v) for p, v in sorted(groups.items())]
            return {"kind": "bnode", "nested": nested, "text": "", "href": None}
        iri = term.value  # type: ignore[attr-defined]
        target = self.paths.page(iri)
        if target:
            return {"kind": "iri", "iri": iri, "href": rel(page, target),
                    "text": self.labels.get(iri) or self.compact(iri)}
        if iri.startswith(KGO):
            return {"kind": "iri", "iri": iri, "href": f"{rel(page, 'ontology.html')}#{iri[len(KGO):]}",
                    "text": self.compact(iri)}
        href = iri if iri.startswith(SAFE_SCHEMES) else None
        return {"kind": "iri", "iri": iri, "href": href, "external": True, "text": self.compact(iri)}

    def predicate(self, iri: str, page: str) -> dict:
        v = self.value(ox.NamedNode(iri), page)
        label = self.labels.get(iri)
        return {"iri": iri, "href": v["href"], "text": self.compact(iri),
                "label": label if label and label != self.compact(iri) else None}

    # -- resources

    def turtle(self, triples: list[ox.Triple]) -> bytes:
        used = {t.value for tr in triples for t in (tr.subject, tr.predicate, tr.object)
                if isinstance(t, ox.NamedNode)}
        used |= {tr.object.datatype.value for tr in triples
                 if isinstance(tr.object, ox.Literal) and tr.object.datatype}
        prefixes = {k: v for k, v in self.prefixes.items() if any(u.startswith(v) for u in used)}
        return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes) or b""

    def resource(self, iri: str, graph_names: set[str]) -> tuple[list[str], str]:
        node = ox.NamedNode(iri)
        stem = self.paths.stem(iri)
        assert stem is not None
        page = f"{stem}.html"
        out = self.src.outgoing(node)
        incoming = self.src.incoming(node)
        closure = self.src.closure(node)
        own = sorted({t for t, _ in out}, key=str)
        # data files: the symmetric description (out, blank-node closure, in), exactly as stored
        described = sorted(set(closure) | {t for t, _ in incoming}, key=str)
        self.write(f"{stem}.ttl", self.turtle(described))
        self.write(f"{stem}.jsonld", jsonld.json.dumps(
            jsonld.document(described, self.context), ensure_ascii=False, indent=1) + "\n")
        # embedded: the resource's own description plus its schema.org reading
        embedded = sorted(set(closure), key=str) + self.schema.extra(node, own)
        script = Markup(jsonld.script_json(jsonld.document(embedded, self.context)))

        types, props = [], defaultdict(list)
        titles, seen_titles = [], set()
        graphs: list[str] = []
        for t, gs in out:
            p = t.predicate.value
            for g in gs:
                if g not in graphs:
                    graphs.append(g)
            if p == RDF + "type" and isinstance(t.object, ox.NamedNode):
                types.append(t.object.value)
            if p in TITLE_PREDICATES and isinstance(t.object, ox.Literal):
                key = (t.object.value, t.object.language)
                if key not in seen_titles:
                    seen_titles.add(key)
                    titles.append({"text": t.object.value, "lang": t.object.language})
            props[p].append(t.object)
        order = sorted(props, key=lambda p: (FIRST.index(p) if p in FIRST else len(FIRST), self.compact(p)))
        properties = [(self.predicate(p, page), [self.value(o, page) for o in sorted(props[p], key=str)])
                      for p in order]
        inc: dict[str, list] = defaultdict(list)
        for t, _ in incoming:
            inc[t.predicate.value].append(t.subject)
        incoming_rows = []
        for p in sorted(inc, key=self.compact):
            subjects = sorted(inc[p], key=lambda s: (self.labels.get(s.value, "~"), str(s)))
            pred = self.predicate(p, page)
            pred["more"] = max(0, len(subjects) - MAX_INCOMING)
            incoming_rows.append((pred, [self.value(s, page) for s in subjects[:MAX_INCOMING]]))
        members, more_members = [], 0
        if iri in graph_names:
            subjects = [s for s in self.src.graph_subjects(iri) if s.value != iri]
            more_members = max(0, len(subjects) - MAX_INCOMING)
            members = [self.value(s, page) for s in subjects[:MAX_INCOMING]]
        family = stem.split("/", 1)[0] if "/" in stem else None
        label = self.labels.get(iri) or (titles[0]["text"] if titles else self.compact(iri))
        type_links = []
        for c in sorted(types):
            if c in self.class_pages:
                type_links.append({"href": rel(page, self.class_pages[c]), "text": self.compact(c)})
        r = {
            "iri": iri, "label": label, "titles": titles, "types": type_links,
            "properties": properties, "incoming": incoming_rows, "members": members, "more_members": more_members,
            "graphs": [self.value(ox.NamedNode(g), page) for g in sorted(graphs)],
            "ttl_href": rel(page, f"{stem}.ttl"), "jsonld_href": rel(page, f"{stem}.jsonld"),
            "family": family, "family_href": rel(page, f"{family}/index.html") if family else None,
            "script": script,
        }
        self.render(page, "resource.html", title=label, r=r)
        return types, page

    # -- the whole site

    def build(self) -> PublishReport:
        from kg.export.build import DUMPS, write_dumps
        from kg.export.void import dataset_iri, void_graph, write_void_to

        self.write("assets/site.css", (Path(__file__).parent / "static" / "site.css").read_bytes())
        self.write(".nojekyll", "")
        self.write(MARKER, "written by kg publish; the whole directory is replaced on the next run\n")
        self._map()

        iris = self.src.resources(self.base)
        graph_names = set(self.store.graph_names())  # type: ignore[attr-defined]
        # classes of the resources first, so pages can link their class index
        members: dict[str, list[str]] = defaultdict(list)
        for r in self.store.query(  # type: ignore[attr-defined]
            "SELECT DISTINCT ?b ?s ?c WHERE { ?s a ?c FILTER(isIRI(?s) && isIRI(?c) && STRSTARTS(STR(?s), ?b)) }",
            substitutions={"b": ox.Literal(self.base)},
        ):
            members[r["c"].value].append(r["s"].value)
        for c in members:
            name = self.compact(c).replace(":", "-")
            if not all(ch.isalnum() or ch in "-_." for ch in name):
                import hashlib

                name = hashlib.sha256(c.encode()).hexdigest()[:20]
            self.class_pages[c] = f"class/{name}.html"

        families: dict[str, list[str]] = defaultdict(list)
        for iri in iris:
            _, page = self.resource(iri, graph_names)
            self.report.resources[iri] = page
            families[page.split("/", 1)[0]].append(iri)

        for c, instances in sorted(members.items()):
            page = self.class_pages[c]
            items = [self._item(i, page) for i in sorted(set(instances), key=self._sort_key)]
            onto = f"{rel(page, 'ontology.html')}#{c[len(KGO):]}" if c.startswith(KGO) else None
            self.render(page, "listing.html", title=f"{self.compact(c)} ({len(items)})",
                        subtitle=c, onto_href=onto, items=items, head=("Resource", "Title"))
        class_items = [{"link": {"kind": "iri", "iri": c, "href": rel("class/index.html", self.class_pages[c]),
                                 "text": self.compact(c)},
                        "title": {"text": f"{len(set(m))} resources", "lang": None}}
                       for c, m in sorted(members.items(), key=lambda kv: self.compact(kv[0]))]
        self.render("class/index.html", "listing.html", title="Classes", subtitle=None,
                    items=class_items, head=("Class", "Instances"))
        for fam, fam_iris in sorted(families.items()):
            page = f"{fam}/index.html"
            items = [self._item(i, page) for i in sorted(fam_iris, key=self._sort_key)]
            self.render(page, "listing.html", title=f"{fam}/ ({len(items)})", subtitle=f"{self.base}{fam}/",
                        items=items, head=("Resource", "Title"))

        # dumps, VoID, ontology
        write_dumps(self.store, self.root / "dumps")
        void_base = f"{self.base_url}dumps/" if self.base_url else "dumps/"
        write_void_to(self.store, self.root / "void.ttl", dump_base=void_base, dumps_dir=self.root / "dumps",
                      sparql_endpoint=self.endpoint, homepage=self.base_url, license=self.license)
        onto_written = self._ontology()

        void_triples = void_graph(self.store, dump_base=void_base, sparql_endpoint=self.endpoint,
                                  license=self.license)
        ds = ox.NamedNode(dataset_iri(self.base))
        stats = {"triples": _int(void_triples, ds, "http://rdfs.org/ns/void#triples"),
                 "entities": len(iris), "graphs": len(graph_names)}
        dumps = []
        for name, _fmt, graph in DUMPS:
            f = self.root / "dumps" / name
            dumps.append({"name": name, "href": f"dumps/{name}", "size": _human_size(f.stat().st_size),
                          "what": "every statement in its provenance graph (N-Quads, gzip)" if graph == "all"
                          else "the union of the graphs"})
        fam_rows = [{"name": f, "href": f"{f}/index.html", "count": len(v)} for f, v in sorted(families.items())]
        class_rows = [{"link": self.value(ox.NamedNode(c), "index.html") | {"href": self.class_pages[c],
                                                                           "text": self.compact(c)},
                       "count": len(set(m))} for c, m in sorted(members.items(), key=lambda kv: self.compact(kv[0]))]
        from kg.export.void import DESCRIPTION, TITLE

        catalog = {"@context": {"@vocab": "http://schema.org/"}, "@type": "DataCatalog", "name": TITLE,
                   "description": DESCRIPTION, "license": self.license, "dateModified": self.modified,
                   "distribution": [{"@type": "DataDownload", "contentUrl": (self.base_url or "") + d["href"],
                                     "name": d["name"]} for d in dumps]}
        self.render("index.html", "index.html", title=TITLE, description=DESCRIPTION, stats=stats,
                    classes=class_rows, families=fam_rows, dumps=dumps, endpoint=self.endpoint,
                    map_note=self._map_note, shapes=onto_written.get("shapes"), context=onto_written.get("context"),
                    script=Markup(jsonld.script_json(catalog)))
        self.write(".htaccess", HTACCESS)
        if self.base_url:
            urls = "".join(f"<url><loc>{self.base_url}{p}</loc></url>\n" for p in sorted(self.report.pages))
            self.write("sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n'
                       '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + urls + "</urlset>\n")
        return self.report

    def _sort_key(self, iri: str) -> tuple[str, str]:
        return (self.labels.get(iri, "~").casefold(), iri)

    def _item(self, iri: str, page: str) -> dict:
        title = None
        for r in self.src.outgoing(ox.NamedNode(iri)):
            t = r[0]
            if t.predicate.value == DCTERMS + "title" and isinstance(t.object, ox.Literal):
                title = {"text": t.object.value, "lang": t.object.language}
                break
        return {"link": self.value(ox.NamedNode(iri), page), "title": title}

    _map_note = "kg.render is not installed"

    def _map(self) -> None:
        import importlib

        try:
            write_pages = importlib.import_module("kg.render.build").write_pages
        except (ImportError, AttributeError):
            self.report.notes.append("overview map not included: kg.render.build:write_pages not available")
            return
        written = [Path(p) for p in write_pages(self.store, self.root / "map")]
        html = [p for p in written if p.suffix == ".html"]
        if not html:
            self._map_note = "the renderer wrote no page"
            self.report.notes.append("overview map not included: the renderer wrote no HTML page")
            return
        first = next((p for p in html if p.stem in ("index", "overview")), html[0])
        self.map_href = first.resolve().relative_to(self.root.resolve()).as_posix()
        self.report.map_page = self.map_href

    def _ontology(self) -> dict[str, bool]:
        from kg.publish.ontology import ontology_model
        from kg.resources import resource_dir

        written = {}
        src = None
        with contextlib.suppress(FileNotFoundError):
            src = resource_dir("ontology")
        onto_graph = f"{self.base}graph/ontology"
        quads = []
        if onto_graph in self.store.graph_names():  # type: ignore[attr-defined]
            from kg.export import iter_quads

            quads = [q.triple for q in iter_quads(self.store, onto_graph)]
        if src is not None and (src / "medkg.ttl").is_file():
            shutil.copyfile(src / "medkg.ttl", self.root / "ontology.ttl")
            if not quads:
                quads = list(ox.parse(path=str(src / "medkg.ttl"), format=ox.RdfFormat.TURTLE))
        else:
            self.write("ontology.ttl", self.turtle(quads))
        for name, key in (("shapes.ttl", "shapes"), ("context.jsonld", "context")):
            if src is not None and (src / name).is_file():
                shutil.copyfile(src / name, self.root / name)
                written[key] = True
        model = ontology_model(quads, self, "ontology.html")
        self.render("ontology.html", "ontology.html", title=model["title"], onto=model)
        return written


def _int(triples: list[ox.Triple], s: ox.NamedNode, p: str) -> int:
    for t in triples:
        if t.subject == s and t.predicate.value == p:
            return int(t.object.value)
    return 0


HTACCESS = """\
# Apache: serve every IRI's page, Turtle or JSON-LD by content negotiation
# (https://www.w3.org/TR/swbp-vocab-pub/). Other hosts: see docs/publishing.md.
AddType text/turtle .ttl
AddType application/ld+json .jsonld
AddType application/n-quads .nq
AddCharset utf-8 .html .ttl .jsonld
Options -MultiViews
RewriteEngine On
RewriteCond %{HTTP_ACCEPT} text/turtle
RewriteCond %{REQUEST_FILENAME}.ttl -f
RewriteRule ^(.+)$ $1.ttl [L]
RewriteCond %{HTTP_ACCEPT} application/ld\\+json
RewriteCond %{REQUEST_FILENAME}.jsonld -f
RewriteRule ^(.+)$ $1.jsonld [L]
RewriteCond %{REQUEST_FILENAME}.html -f
RewriteRule ^(.+)$ $1.html [L]
"""


def publish(
    store: object, out_dir: Path | str, *, base_url: str | None = None,
    sparql_endpoint: str | None = None, today: dt.date | None = None,
) -> PublishReport:
    """Write the site to ``out_dir``. It is built in a sibling temporary directory and swapped in
    when complete; an existing ``out_dir`` is replaced only if ``kg publish`` wrote it (or it
    is empty)."""
    from kg.export.void import DEFAULT_ENDPOINT

    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise PublishError(f"{out}: exists and was not written by kg publish; refusing to replace it")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        site = Site(store, tmp, base_url=base_url, sparql_endpoint=sparql_endpoint or DEFAULT_ENDPOINT,
                    today=today)
        report = site.build()
        old = None
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
        tmp.rename(out)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    report.out_dir = out
    return report
