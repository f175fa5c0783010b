"""One extractor per endpoint family; every module in this package is found automatically.

A new endpoint is one new module here with an `Extractor` subclass (and its tests): nothing else to register.
"""
import importlib
import pkgutil
from typing import List

from extractors.base import Extractor, Replaced, TableSpec, Walk

__all__ = ["Extractor", "Replaced", "TableSpec", "Walk", "extractor_classes", "build_extractors"]


def extractor_classes() -> List[type]:
    """Every Extractor subclass in this package, in a stable order."""
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            importlib.import_module(f"{__name__}.{module.name}")
    return sorted((cls for cls in Extractor.__subclasses__() if cls.name), key=lambda cls: cls.order)


def build_extractors(settings, client, state: dict, run_started: int) -> List[Extractor]:
    """The extractors the configuration asks for."""
    return [cls(client, settings, state, run_started) for cls in extractor_classes() if cls.enabled(settings)]
