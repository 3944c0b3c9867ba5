"""The version, written in this one place: the package metadata (pyproject.toml),
the window title and --version all read it. A plain module because looking it
up through importlib.metadata costs ~45 ms of start-up."""
__version__ = "0.1.0"
