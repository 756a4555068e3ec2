"""Triton's backends as a model configuration names them, and what each means for metrics.

A model's ``config.pbtxt`` (and ``GET /v2/models/NAME/config``) names its ``backend``, and for
the framework backends also the ``platform`` Triton fills in; an ensemble has the platform
``ensemble`` and no backend. Two facts here matter to a dashboard:

* **BLS.** A Python-backend model may call other models from its ``model.py`` (Business
  Logic Scripting). Those calls are requests to the called models like any other, counted in
  their families, but no configuration shows them: ``ensemble_scheduling`` lists an
  ensemble's steps, nothing lists a BLS model's callees. So the steps of a BLS pipeline
  cannot be declared from the configuration and its callees' requests double count in
  fleet totals just as an undeclared ensemble's steps do.
* **The LLM plug-ins.** The TensorRT-LLM backend (``tensorrtllm``) and the vLLM backend
  (``vllm``) add their own families (:mod:`.llm`, by ``plugin``).

Source: Triton's model configuration documentation (``platform`` and ``backend`` pairs) and
the backends' repositories (triton-inference-server/python_backend, tensorrtllm_backend,
vllm_backend).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from triton_dashboards.catalog.llm import TENSORRT_LLM, VLLM

__all__ = ["BACKENDS", "ENSEMBLE_PLATFORM", "PYTHON", "Backend", "backend", "of_plugin"]

#: The ``platform`` of an ensemble's configuration; its ``backend`` is empty.
ENSEMBLE_PLATFORM = "ensemble"


@attrs.frozen
class Backend:
    """A backend by the name a model configuration gives it.

    ``platform`` is what Triton writes in the configuration next to it ("" for backends
    without one); ``calls_models`` is True where the model's code may call other models
    (BLS), invisible to any configuration; ``plugin`` names the catalog plug-in whose
    families the backend adds ("" for none).
    """

    name: str
    platform: str = ""
    calls_models: bool = False
    plugin: str = ""


PYTHON = Backend("python", calls_models=True)

BACKENDS: Mapping[str, Backend] = MappingProxyType(
    {
        b.name: b
        for b in (
            PYTHON,
            Backend("onnxruntime", "onnxruntime_onnx"),
            Backend("tensorrt", "tensorrt_plan"),
            Backend("pytorch", "pytorch_libtorch"),
            Backend("tensorflow", "tensorflow_savedmodel"),
            Backend("openvino"),
            Backend("dali"),
            Backend("fil"),
            Backend("tensorrtllm", plugin=TENSORRT_LLM),
            Backend("vllm", plugin=VLLM),
        )
    }
)


def backend(name: str) -> Backend:
    """The backend called ``name``; a custom one (not listed) has no platform nor plug-in."""
    return BACKENDS.get(name) or Backend(name)


def of_plugin(plugin: str) -> Backend:
    """The backend that adds the families of catalog plug-in ``plugin`` (``vllm`` ...)."""
    found = [b for b in BACKENDS.values() if b.plugin == plugin]
    if len(found) != 1:
        raise KeyError(f"no backend adds the families of plug-in {plugin!r}")
    return found[0]
