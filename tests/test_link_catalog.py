"""Catalog names: a paper that names a dataset another catalog entry describes or introduces links
to it (``kgo:usesDataset``), though no vocabulary knows the name; and a file is linked again when,
and only when, a name it holds changes elsewhere in the catalog."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from tests.conftest import rows

RESOURCE = ("数据资源Chinese community medical questionsChinese medical QA dataset"
            "120k question-answer pairs开放访问 FooMedQA:中文社区医学问答数据集\n"
            "FooMedQA collects Chinese community medical questions with doctors' answers.\n")
GENERIC = ("数据资源Radiology textRadiology report dataset5k reports开放访问 Radiology Reports\n"
           "A set of de-identified radiology reports.\n")
INTRODUCING = ("论文ICLR 2026 Poster2026 年trustworthy medical AI LiveTriage:实时分诊评测基准\n"
               "We introduce LiveTriage, a live benchmark of emergency triage questions.\n")
PAPERS = (
    "论文ICLR 2026 Poster2026 年trustworthy medical AI 中文医学问答的可信评测\n"
    "We evaluate twelve language models on FooMedQA and LiveTriage and study how often they "
    "hedge; the radiology reports of our hospital serve as a second test.\n"
    "论文NeurIPS 2025 Poster2025 年medical AI 临床对话模型的校准\n"
    "Existing benchmarks such as FooMedQA focus on single-turn questions. We build a dialogue "
    "calibration method and test it on new conversations.\n"
)


def write(root: Path, files: dict[str, str]) -> Path:
    cat = root / "catalog"
    cat.mkdir(exist_ok=True)
    for name, text in files.items():
        (cat / name).write_text(text, "utf-8")
    return cat


def ingest(cat: Path, store_path: Path, bulk: bool = False):  # noqa: ANN201
    from kg.ingest import ingest as run
    from kg.store import open_store

    store = open_store(str(store_path))
    try:
        report = run([cat], store, bulk=bulk, workers=2)
        quads = set(store.raw)
        edges = {(r["p"].rsplit("#", 1)[-1], r["o"].rsplit("/", 1)[-1]) for r in rows(store, """
            SELECT ?p ?o WHERE { ?s ?p ?o ; dcterms:title ?t .
              FILTER(?p IN (kgo:usesDataset, kgo:mentions) && CONTAINS(?t, "可信评测")) }""")}
        prior = {(r["p"].rsplit("#", 1)[-1], r["o"].rsplit("/", 1)[-1]) for r in rows(store, """
            SELECT ?p ?o WHERE { ?s ?p ?o ; dcterms:title ?t .
              FILTER(?p IN (kgo:usesDataset, kgo:mentions) && CONTAINS(?t, "校准")) }""")}
    finally:
        store.close()
    return report, quads, edges, prior


@pytest.fixture
def catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return write(tmp_path, {"a-resources.txt": RESOURCE + GENERIC, "b-papers.txt": INTRODUCING + PAPERS})


def test_papers_link_to_datasets_the_catalog_describes_or_introduces(catalog: Path, tmp_path: Path) -> None:
    _, quads, edges, prior = ingest(catalog, tmp_path / "store")
    # the resource entry's dataset and the benchmark another paper introduces; not the generic name
    assert edges == {("usesDataset", "foomedqa"), ("usesDataset", "livetriage")}
    assert prior == {("mentions", "foomedqa")}  # named only about other work
    # the edge points at the node the resource entry describes, typed and labelled there
    labels = {(q.subject.value, q.object.value) for q in quads if q.predicate.value.endswith("#label")}
    assert ("https://w3id.org/medkg/id/dataset/foomedqa", "FooMedQA") in labels


def test_both_ingest_paths_give_the_same_graph(catalog: Path, tmp_path: Path) -> None:
    serial = ingest(catalog, tmp_path / "serial", bulk=False)
    bulk = ingest(catalog, tmp_path / "bulk", bulk=True)
    assert serial[1] == bulk[1] and serial[2] == bulk[2]


def test_a_file_is_linked_again_when_a_name_it_holds_changes(catalog: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    ingest(catalog, store)
    # a dataset no paper names: the papers' file stays as it is
    write(tmp_path, {"c-more.txt": RESOURCE.replace("FooMedQA", "BazScanQA")})
    report, _, edges, _ = ingest(catalog, store)
    assert [(s.path.rsplit("/", 1)[-1], s.status) for s in report.sources] == [
        ("a-resources.txt", "unchanged"), ("b-papers.txt", "unchanged"), ("c-more.txt", "loaded")]
    assert ("usesDataset", "foomedqa") in edges
    # the dataset is renamed: the papers that named it no longer link to it
    write(tmp_path, {"a-resources.txt": RESOURCE.replace("FooMedQA", "FooMedQA2") + GENERIC})
    report, quads, edges, prior = ingest(catalog, store)
    assert [s.status for s in report.sources] == ["loaded", "loaded", "unchanged"]
    assert edges == {("usesDataset", "livetriage")} and prior == set()
    _, fresh, _, _ = ingest(catalog, tmp_path / "fresh")
    assert quads == fresh


@pytest.mark.parametrize("bulk", [False, True], ids=["in-process", "bulk"])
def test_kg_ingest_of_new_files_links_to_the_datasets_already_in_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool,
) -> None:
    """Each graph records the names its entries describe or introduce: the papers of a file
    ingested alone link to the datasets of the files ingested before, as if ingested together."""
    monkeypatch.chdir(tmp_path)
    cat = write(tmp_path, {"a-resources.txt": RESOURCE + GENERIC, "b-papers.txt": INTRODUCING,
                           "c-papers.txt": PAPERS})
    store = tmp_path / "store"
    for name in ("a-resources.txt", "b-papers.txt"):
        ingest(cat / name, store, bulk=bulk)
    report, quads, edges, prior = ingest(cat / "c-papers.txt", store, bulk=bulk)
    assert edges == {("usesDataset", "foomedqa"), ("usesDataset", "livetriage")}
    assert prior == {("mentions", "foomedqa")}
    names = {(q.predicate.value.rsplit("#", 1)[-1], q.object.value) for q in quads
             if q.predicate.value.endswith("Name") and q.subject == q.graph_name}
    assert names == {("describesDatasetName", "FooMedQA"), ("describesDatasetName", "Radiology Reports"),
                     ("describesDatasetName", "LiveTriage")}
    # the same graph as ingesting the files together; and the last file, given again, is unchanged
    _, together, _, _ = ingest(cat, tmp_path / "together", bulk=bulk)
    assert quads == together
    report, _, _, _ = ingest(cat / "c-papers.txt", store, bulk=bulk)
    assert [s.status for s in report.sources] == ["unchanged"]


@pytest.mark.parametrize("bulk", [False, True], ids=["in-process", "bulk"])
def test_kg_ingest_links_again_the_stored_files_naming_what_it_adds_renames_or_removes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool,
) -> None:
    """The papers first, then the files describing what they name, then a rename: each time the
    stored papers file is linked again in the same ingest, and the store equals one ingest of the
    files together; a file given again unchanged touches nothing else."""
    monkeypatch.chdir(tmp_path)
    cat = write(tmp_path, {"a-resources.txt": RESOURCE + GENERIC, "b-papers.txt": INTRODUCING,
                           "c-papers.txt": PAPERS})
    store = tmp_path / "store"

    def statuses(report) -> dict[str, str]:  # noqa: ANN001
        return {s.path.rsplit("/", 1)[-1]: s.status for s in report.sources}

    _, _, edges, _ = ingest(cat / "c-papers.txt", store, bulk=bulk)
    assert edges == set()
    report, _, edges, _ = ingest(cat / "b-papers.txt", store, bulk=bulk)
    assert statuses(report) == {"b-papers.txt": "loaded", "c-papers.txt": "relinked"}
    assert edges == {("usesDataset", "livetriage")}
    report, quads, edges, prior = ingest(cat / "a-resources.txt", store, bulk=bulk)
    assert statuses(report) == {"a-resources.txt": "loaded", "c-papers.txt": "relinked"}
    assert edges == {("usesDataset", "foomedqa"), ("usesDataset", "livetriage")}
    assert prior == {("mentions", "foomedqa")}
    assert quads == ingest(cat, tmp_path / "together", bulk=bulk)[1]

    (cat / "a-resources.txt").write_text((RESOURCE + GENERIC).replace("FooMedQA", "FooMedQB"), "utf-8")
    report, quads, edges, prior = ingest(cat / "a-resources.txt", store, bulk=bulk)
    assert statuses(report) == {"a-resources.txt": "loaded", "c-papers.txt": "relinked"}
    assert edges == {("usesDataset", "livetriage")} and prior == set()
    assert quads == ingest(cat, tmp_path / "renamed", bulk=bulk)[1]
    report, _, _, _ = ingest(cat / "a-resources.txt", store, bulk=bulk)
    assert statuses(report) == {"a-resources.txt": "unchanged"}


def test_a_stored_file_that_cannot_be_linked_again_is_reported_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runner: CliRunner,
) -> None:
    monkeypatch.chdir(tmp_path)
    cat = write(tmp_path, {"a-resources.txt": RESOURCE, "c-papers.txt": PAPERS})
    store = str(tmp_path / "store")
    assert runner.invoke(cli, ["ingest", str(cat), "--store", store]).exit_code == 0
    (cat / "c-papers.txt").unlink()
    (cat / "a-resources.txt").write_text(RESOURCE.replace("FooMedQA", "FooMedQB"), "utf-8")
    result = runner.invoke(cli, ["ingest", str(cat / "a-resources.txt"), "--store", store])
    assert result.exit_code == 0, result.output
    assert ("catalog/c-papers.txt: names a dataset the files given add, rename or remove, but the file is "
            "gone or changed since it was ingested") in result.stderr
    assert "stale" in result.stderr
    # its graph is left as it was: the paper still uses the dataset under its old name
    from kg.store import open_store

    s = open_store(store, read_only=True)
    try:
        assert rows(s, "SELECT ?p ?d WHERE { ?p kgo:usesDataset ?d }", d=_iri("foomedqa"))
    finally:
        s.close()


def test_ambiguous_names_do_not_link_and_kg_review_lists_them(
    catalog: Path, tmp_path: Path, runner: CliRunner,
) -> None:
    # another entry gives the name to a model: which one a paper means is unknown
    model = "数据资源TextModelModel weights开放访问 FooMedQA\nA fine-tuned model.\n"
    write(tmp_path, {"c-model.txt": model})
    _, _, edges, prior = ingest(catalog, tmp_path / "store")
    assert edges == {("usesDataset", "livetriage")} and prior == set()
    result = runner.invoke(cli, ["review", "--store", str(tmp_path / "store"), "--format", "json"])
    assert result.exit_code == 0, result.output
    ambiguous = {(i["source"].rsplit("/", 1)[-1], i["message"]) for i in json.loads(result.stdout)
                 if i["kind"] == "ambiguous-name"}
    assert ambiguous == {
        ("a-resources.txt:1", "'FooMedQA' is a Dataset here and a Model at catalog/c-model.txt:1: "
                              "a paper naming it links to neither"),
        ("c-model.txt:1", "'FooMedQA' is a Model here and a Dataset at catalog/a-resources.txt:1: "
                          "a paper naming it links to neither"),
    }


def test_explain_names_the_rule(catalog: Path, tmp_path: Path, runner: CliRunner) -> None:
    store = tmp_path / "store"
    ingest(catalog, store)
    result = runner.invoke(cli, ["explain", "FooMedQA", "--store", str(store), "--format", "json"])
    assert result.exit_code == 0, result.output
    (node,) = json.loads(result.stdout)
    used = [x for x in node["links"] if x["property"] == "kgo:usesDataset"]
    assert len(used) == 1 and "b-papers.txt:3" in used[0]["source"]
    assert "a catalog entry describes or introduces it" in used[0]["rule"]


def test_kg_build_links_them_and_the_graph_conforms_to_the_shapes(catalog: Path, tmp_path: Path) -> None:
    from kg.build import build
    from kg.store import open_store

    store = open_store(str(tmp_path / "store"))
    try:
        report = build(store, catalog, validate=True)
        used = rows(store, "SELECT ?p ?d WHERE { ?p kgo:usesDataset ?d }", d=_iri("foomedqa"))
    finally:
        store.close()
    assert report.validation is not None and report.validation.conforms, report.validation
    assert len(used) == 1


def _iri(slug: str):  # noqa: ANN202
    import pyoxigraph as ox

    return ox.NamedNode(f"https://w3id.org/medkg/id/dataset/{slug}")
