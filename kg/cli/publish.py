"""``kg publish``: write the static linked-data site."""

from __future__ import annotations

import click

from kg.cli.options import EXIT_USAGE, fail, opened_store, store_option


@click.command()
@store_option
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--base-url", default=None, metavar="URL",
              help="Public URL the site will be served from (absolute dump links in void.ttl, "
              "canonical links, sitemap.xml). Without it every link is relative.")
@click.option("--sparql-endpoint", default=None, envvar="KG_SPARQL_ENDPOINT", metavar="URL",
              help="SPARQL endpoint to advertise (default http://127.0.0.1:7878/sparql). "
              "Env: KG_SPARQL_ENDPOINT.")
def publish(store_spec: str | None, directory: str, base_url: str | None, sparql_endpoint: str | None) -> None:
    """Write a static linked-data site into DIRECTORY.

    For every resource (every IRI under the base) an HTML page with its titles
    in every language, properties, links in and out and provenance, beside its
    .ttl and .jsonld; an index per class and per IRI family; the dumps
    (dumps/), void.ttl, the ontology (ontology.ttl and ontology.html) and the
    overview map when kg.render is installed. All links are relative: open
    index.html from disk or copy the directory to any static host.

    DIRECTORY is replaced as a whole (only if kg publish wrote it before).

    Exit status: 0 written; 2 DIRECTORY is not a site kg publish wrote; 3 store error.

    Example:

        kg publish site --base-url https://example.org/medkg/ && open site/index.html
    """
    from kg.publish import PublishError
    from kg.publish import publish as run

    if base_url and not base_url.startswith(("http://", "https://")):
        fail(f"--base-url must be an http(s) URL, not {base_url!r}", EXIT_USAGE)
    with opened_store(store_spec, read_only=True) as store:
        try:
            report = run(store, directory, base_url=base_url, sparql_endpoint=sparql_endpoint)
        except PublishError as err:
            fail(str(err), EXIT_USAGE)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(f"wrote {len(report.pages)} pages for {len(report.resources)} resources to "
               f"{report.out_dir}/index.html")
