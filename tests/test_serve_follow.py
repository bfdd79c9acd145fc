"""``kg serve`` follows its store: a commit made while it runs (an in-place ingest, or a large
replacement that swaps the store directory) is served without a restart."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from .conftest import running_server

pytestmark = pytest.mark.server
PAPER = ("论文ICLR 2026 Poster2026 年trustworthy medical AI FollowBench:{title}\n"
         "We introduce FollowBench, a benchmark of graphs served while they change.\n")
COUNT = "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a kgo:Paper }"
TITLES = "SELECT ?t WHERE { paper:followbench dcterms:title ?t }"


def _values(http: httpx.Client, query: str, var: str) -> list[str]:
    r = http.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200, r.text
    return [b[var]["value"] for b in r.json()["results"]["bindings"]]


def _until(check, seconds: float = 60.0):  # noqa: ANN001, ANN202
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


def _ingest(path: Path, store_dir: Path, **kw: object) -> None:
    from kg.ingest import ingest
    from kg.store import open_store

    store = open_store(str(store_dir))
    try:
        ingest([path], store, **kw)  # type: ignore[arg-type]
    finally:
        store.close()


def test_a_commit_is_served_without_a_restart(built_store: str, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    store_dir = tmp_path / "store"
    shutil.copytree(built_store, store_dir)
    new = tmp_path / "new" / "follow.txt"
    new.parent.mkdir()
    with running_server(str(store_dir), workers=1, timeout=5, follow_every=0.1) as srv, \
            httpx.Client(base_url=srv.url, timeout=30) as http:
        papers = int(_values(http, COUNT, "n")[0])
        assert _values(http, TITLES, "t") == []

        # an ingest committing in place while the server runs
        new.write_text(PAPER.format(title="服务跟随测试基准"), "utf-8")
        _ingest(new, store_dir)
        assert _until(lambda: _values(http, TITLES, "t")) == ["FollowBench:服务跟随测试基准"]
        assert int(_values(http, COUNT, "n")[0]) == papers + 1
        page = http.get("/id/paper/followbench", headers={"Accept": "text/html"})  # read in the server
        assert page.status_code == 200 and "服务跟随测试基准" in page.text

        # a large replacement (made large here) builds a new store directory and swaps it in
        import kg.store.oxigraph as oxi

        monkeypatch.setattr(oxi, "SWAP_MIN_QUADS", 1)
        inode = store_dir.stat().st_ino
        new.write_text(PAPER.format(title="换目录之后"), "utf-8")
        _ingest(new, store_dir, bulk=True, workers=1)
        assert store_dir.stat().st_ino != inode  # the directory was swapped
        assert _until(lambda: _values(http, TITLES, "t") == ["FollowBench:换目录之后"])
        assert int(_values(http, COUNT, "n")[0]) == papers + 1
        assert srv.config.follower.reopened >= 2
        # a server that sees no commit opens nothing again
        reopened = srv.config.follower.reopened
        for _ in range(5):
            _values(http, COUNT, "n")
            time.sleep(0.15)
        assert srv.config.follower.reopened == reopened
