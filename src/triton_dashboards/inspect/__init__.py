"""Reading a live system: what a Triton server and its Prometheus hold.

:mod:`.triton` asks Triton's own HTTP API which models and ensembles exist.
"""
