"""A tiny plugin registry: one module per format or store, found by name, imported only when used.

A plugin family is a package (``kg.read``, ``kg.store``, ``kg.export`` …). Each module in it is a
plugin whose name is the module name, so adding a format is adding one module; nothing is imported
until a plugin is asked for, which keeps ``kg --help`` fast.

>>> readers = Registry("kg.read")
>>> "txt" in readers.names()
True
>>> readers.load("txt").__name__
'kg.read.txt'
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


class PluginNotFound(LookupError):
    """No module of that name in the plugin package."""


class Registry:
    """Plugins are the public modules of ``package`` (names not starting with ``_``)."""

    def __init__(self, package: str) -> None:
        self.package = package

    def names(self) -> list[str]:
        pkg = importlib.import_module(self.package)
        return sorted(
            m.name for m in pkgutil.iter_modules(pkg.__path__) if not m.name.startswith("_")
        )

    def load(self, name: str) -> ModuleType:
        if name.startswith("_") or not name.replace("_", "").isalnum() or name not in self.names():
            raise PluginNotFound(
                f"no {self.package.rsplit('.', 1)[-1]} plugin named {name!r} "
                f"(known: {', '.join(self.names())})"
            )
        return importlib.import_module(f"{self.package}.{name}")
