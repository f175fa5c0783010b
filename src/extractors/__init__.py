"""The extractors of a run: one generic ResourceExtractor per root of the resource catalogue
(customerio/resources.py), plus the custom ones (messages, customers, activities, ...), found automatically.

A new list endpoint is one catalogue entry; a dataset that needs its own logic is one module here with an
`Extractor` subclass.
"""
import importlib
import pkgutil
from typing import List

from extractors.base import Extractor, Kept, Replaced, TableSpec, Walk

__all__ = ["Extractor", "Kept", "Replaced", "TableSpec", "Walk", "extractor_classes", "build_extractors"]


def extractor_classes() -> List[type]:
    """Every Extractor subclass in this package, in a stable order."""
    for module in pkgutil.iter_modules(__path__):
        if module.name not in ("base", "resources"):
            importlib.import_module(f"{__name__}.{module.name}")
    return sorted((cls for cls in Extractor.__subclasses__() if cls.name), key=lambda cls: cls.order)


def build_extractors(settings, client, state: dict, run_started: int, knobs=None) -> List[Extractor]:
    """The extractors the configuration asks for, slow ones first (their walks start early)."""
    from customerio.resources import roots
    from extractors.resources import ResourceExtractor
    custom = [cls(client, settings, state, run_started, knobs=knobs) for cls in extractor_classes()
              if cls.enabled(settings)]
    generic = [ResourceExtractor(root, client, settings, state, run_started, knobs) for root in roots()
               if ResourceExtractor.wanted(root, settings)]
    return sorted(custom + generic, key=lambda extractor: extractor.order)
