"""``python -m triton_dashboards`` is the ``triton-dashboards`` command.

Guarded, so that importing the module (as the API reference's module walk does) runs nothing.
"""

from triton_dashboards.cli import main

if __name__ == "__main__":
    main()
