"""Importing the offices' own ledgers (Excel or CSV) into the service that owns the data (docs/imports.md).

A service declares its kinds (`ImportKind`: columns, natural key, checks, `apply` through its own use case) in
its service layer and adds the routes with `routes.install(bp, deps, kinds, tag)`. The library reads the file
safely (`reading`), checks every row with messages naming sheet, row and column (`kinds`, `columns`), writes it
as a job with progress and an audit event (`jobs`), and makes the template and the rows-to-fix workbook
(`workbooks`).
"""
from .columns import (CellError, Choice, Column, Context, Day, Decimal1, Flag, IdNumber, Integer, Mobile, Money,
                      Month, OrgUnitRef, Text)
from .kinds import CREATED, UNCHANGED, UPDATED, ImportKind, ImportRun
from .reading import ImportFileError, MAX_ROWS, read_upload

__all__ = ["CellError", "Choice", "Column", "Context", "Day", "Decimal1", "Flag", "IdNumber", "Integer", "Mobile",
           "Money", "Month", "OrgUnitRef", "Text", "CREATED", "UNCHANGED", "UPDATED", "ImportKind", "ImportRun",
           "ImportFileError", "MAX_ROWS", "read_upload"]
