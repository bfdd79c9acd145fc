"""Options and helpers shared by commands (small decorators, as in sqlite-utils)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_STORE = 3


def store_option(f: F) -> F:
    """``--store SPEC`` (env ``KG_STORE``; default ``.kg/store``)."""
    return click.option(
        "--store", "store_spec", envvar="KG_STORE", default=None, metavar="SPEC",
        help="Store: a directory or oxigraph:DIR (default .kg/store), memory:, or "
        "sparql+http://HOST:PORT/PATH. Env: KG_STORE.",
    )(f)


def format_option(*choices: str, default: str) -> Callable[[F], F]:
    def deco(f: F) -> F:
        return click.option(
            "--format", "-f", "fmt", type=click.Choice(choices), default=default, show_default=True,
            help="Output format.",
        )(f)

    return deco


def fail(message: str, code: int) -> None:
    """Print a one-line error and exit with ``code``."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@contextmanager
def opened_store(spec: str | None, *, read_only: bool = False) -> Iterator[Any]:
    """Open a store; store errors become a one-line message and exit code 3."""
    from kg.store import StoreError, open_store

    try:
        store = open_store(spec, read_only=read_only)
    except StoreError as err:
        fail(str(err), EXIT_STORE)
    try:
        yield store
    except StoreError as err:
        fail(str(err), EXIT_STORE)
    finally:
        store.close()
