"""Reading and writing the spreadsheets a street office and its compounds exchange.

No Qt here: the import and export logic is plain Python so it can be tested
and run from the command line.
"""
from __future__ import annotations


class ExchangeError(Exception):
    """A file that cannot be read at all; str() is one Chinese sentence naming
    the file and saying what to do."""


from .reader import (  # noqa: E402  (ExchangeError must exist before reader imports it)
    MAX_DATA_ROWS,
    CellError,
    Sheet,
    Table,
    cell_text,
    choose_sheet,
    locate_table,
    normalise_header,
    read_workbook,
)

__all__ = [
    "MAX_DATA_ROWS",
    "CellError",
    "ExchangeError",
    "Sheet",
    "Table",
    "cell_text",
    "choose_sheet",
    "locate_table",
    "normalise_header",
    "read_workbook",
]
