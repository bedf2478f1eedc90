"""The kubernetes client without its 700 generated models and API classes.

helmkit uses three parts of the client: the kube config loader, `ApiClient.call_api` with raw
JSON (nothing is deserialised into models) and `ApiException`. `import kubernetes` runs the
package `__init__`s, which import every model and API class first: about 0.4 s of CPU on each
live command, more than the requests it then makes. `load()` imports only those three parts.

The package modules `kubernetes`, `kubernetes.client` and `kubernetes.client.models` are
registered as stand-ins that run their real `__init__` on first use of anything else (for
example `kubernetes.client.CoreV1Api`), so other code in the same process keeps the full client.
bench/bench_kube_client.py measures this loader against the full import and lightkube: it stays
while the full import costs a live verb more than the loader saves (lightkube costs the same, but
needs the adapter ported from raw API paths to its typed resources).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

_STAND_INS = ("kubernetes", "kubernetes.client", "kubernetes.client.models")
# imported in this order: each needs only the ones before it (and never the models)
_PARTS = (
    "kubernetes.client.exceptions",
    "kubernetes.client.configuration",
    "kubernetes.client.rest",
    "kubernetes.client.api_client",
)
_lock = threading.RLock()  # re-entrant: a stand-in may be asked for something during load()
# what the import system asks a package module for: never a reason to run its __init__
_IMPORT_ATTRIBUTES = frozenset(
    ("__path__", "__spec__", "__loader__", "__file__", "__package__", "__cached__")
)


class _StandIn(types.ModuleType):
    """A package module whose real `__init__` runs on the first attribute it lacks."""

    def __getattr__(self, name: str) -> Any:
        if name in _IMPORT_ATTRIBUTES:
            raise AttributeError(name)
        with _lock:  # another thread may be running the __init__: wait for it
            if self.__dict__.get("_helmkit_running"):  # the __init__ itself probes a name
                raise AttributeError(name)
            if not self.__dict__.get("_helmkit_complete"):
                self.__dict__["_helmkit_running"] = True
                try:
                    spec = self.__spec__
                    assert spec is not None and spec.loader is not None
                    spec.loader.exec_module(self)
                    self.__dict__["_helmkit_complete"] = True
                finally:
                    self.__dict__["_helmkit_running"] = False
        if name in self.__dict__:
            return self.__dict__[name]
        raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")


def _stand_in(name: str) -> None:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        raise ImportError(f"{name} is not an installed package")
    module = _StandIn(name)
    module.__spec__ = spec
    module.__path__ = list(spec.submodule_search_locations)
    module.__file__ = spec.origin
    module.__package__ = name
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def load() -> tuple[Any, Any]:
    """(the `kubernetes.config` module, `ApiException`), loading as little as possible."""
    with _lock:
        if "kubernetes" not in sys.modules:
            for name in _STAND_INS:
                _stand_in(name)
            for part in _PARTS:
                importlib.import_module(part)
            client = sys.modules["kubernetes.client"]
            # what kubernetes.config imports from kubernetes.client
            client.__dict__["ApiClient"] = sys.modules["kubernetes.client.api_client"].ApiClient
            client.__dict__["Configuration"] = sys.modules[
                "kubernetes.client.configuration"
            ].Configuration
        config = importlib.import_module("kubernetes.config")
        exceptions = importlib.import_module("kubernetes.client.exceptions")
    return config, exceptions.ApiException
