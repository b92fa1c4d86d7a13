"""The version of Red Armband, in one place.

``pyproject.toml`` reads it for the wheel's metadata; ``redarmband --version``
and ``/-/plugins.json`` show it.
"""

__version__ = "0.2.0"
