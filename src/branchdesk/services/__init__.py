"""Operations on the data, one small function per change, shared by the UI and the
command line. Each change runs in one transaction: it commits whole or not at all."""
from __future__ import annotations


class ValidationFailed(Exception):
    """The values cannot be saved; errors maps a field key (or "" for the record)
    to the Chinese sentence to show beside that field."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("；".join(errors.values()))
        self.errors = errors


class NotFound(Exception):
    """The record was deleted meanwhile (another window, an undo)."""
