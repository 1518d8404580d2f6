"""Uploaded spreadsheets (CSV, XLSX) read without trusting their size.

An XLSX file is a zip of XML files, so its size on the wire says little about the work
of reading it: deflate packs a run of one byte about a thousand to one, so 5 MB can
unpack to gigabytes; and a sheet that declares `<dimension ref="A1:XFD1048576"/>`, or
puts one cell in column XFD, makes openpyxl pad rows to 16,384 cells and fill in a
million rows, from a file of a few hundred bytes. So before anything is parsed the zip's
directory must add up to at most `MAX_UNCOMPRESSED_BYTES` (Python's zipfile never
inflates a member past the size its directory declares: a member that lies fails its
CRC check), and the sheet is read within `MAX_ROWS` and `MAX_COLUMNS`, with the declared
dimension ignored, and at most `MAX_CELLS` cells (empty ones too) read; a sheet beyond
them is refused, never truncated. CSV files are bounded
by their size, and by `MAX_ROWS` too.

Both the API's imports (`api/transfers`) and the dashboards' (django-import-export, with
`SafeXLSX`) read through here.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import tablib
from django import forms
from import_export.formats import base_formats
from import_export.forms import ImportForm

from tenants.error_codes import DomainError

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
# A chain's whole programme for months, or a seat map of the largest arena, fits easily.
MAX_ROWS = 20_000
MAX_COLUMNS = 100
# Cells read, empty ones included: a row is as wide as its last cell, even an empty one.
MAX_CELLS = MAX_ROWS * MAX_COLUMNS


class SpreadsheetError(DomainError):
    """A file refused before or while reading it (400 with its code)."""


def _check_zip(raw: bytes) -> None:
    try:
        members = zipfile.ZipFile(io.BytesIO(raw)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise SpreadsheetError("file_unreadable", f"Not an XLSX file: {error}") from error
    if len(members) > MAX_ZIP_MEMBERS:
        raise SpreadsheetError("file_too_large", "The XLSX file has too many parts.")
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
        raise SpreadsheetError(
            "file_too_large",
            f"The XLSX file unpacks to more than {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB.",
        )


def _too_many_rows() -> SpreadsheetError:
    return SpreadsheetError(
        "file_too_large", f"Files are limited to {MAX_ROWS:,} rows; split it into several."
    )


def _xlsx_rows(raw: bytes) -> list[tuple[Any, ...]]:
    from openpyxl import load_workbook

    _check_zip(raw)
    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a broken file
        raise SpreadsheetError(
            "file_unreadable", f"Could not read the XLSX file: {error}"
        ) from error
    rows: list[tuple[Any, ...]] = []
    cells = 0
    try:
        sheet = book.active
        if sheet is None:
            raise SpreadsheetError("file_unreadable", "The XLSX file has no sheet.")
        # The declared size is the sender's word: rows come as wide as their last cell,
        # and parsing stops one row past the bound (any row there, even an empty one).
        sheet.reset_dimensions()
        for row in sheet.iter_rows(min_row=1, max_row=MAX_ROWS + 2, values_only=True):
            if len(rows) > MAX_ROWS:  # the header and MAX_ROWS rows are in already
                raise _too_many_rows()
            cells += len(row)
            if cells > MAX_CELLS or any(value is not None for value in row[MAX_COLUMNS:]):
                raise SpreadsheetError(
                    "file_too_large", f"Files are limited to {MAX_COLUMNS} columns."
                )
            rows.append(row[:MAX_COLUMNS])
    except SpreadsheetError:
        raise
    except Exception as error:
        raise SpreadsheetError(
            "file_unreadable", f"Could not read the XLSX file: {error}"
        ) from error
    finally:
        book.close()
    return rows


def xlsx_dataset(raw: bytes) -> tablib.Dataset:
    """The first sheet of an XLSX file as a dataset (its first row the headers)."""
    rows = _xlsx_rows(raw)
    while rows and all(value is None for value in rows[-1]):
        rows.pop()
    dataset = tablib.Dataset()
    if not rows:
        return dataset
    header = list(rows[0])
    while header and header[-1] is None:
        header.pop()
    width = len(header)
    dataset.headers = header
    for row in rows[1:]:
        dataset.append([*row[:width], *([None] * (width - len(row)))])
    return dataset


def csv_dataset(raw: bytes) -> tablib.Dataset:
    """A CSV file (UTF-8, with or without a byte-order mark) as a dataset."""
    try:
        dataset = tablib.Dataset().load(raw.decode("utf-8-sig"), format="csv")
    except Exception as error:
        raise SpreadsheetError(
            "file_unreadable", f"Could not read the CSV file: {error}"
        ) from error
    if len(dataset) > MAX_ROWS:
        raise _too_many_rows()
    if dataset.width > MAX_COLUMNS:
        raise SpreadsheetError("file_too_large", f"Files are limited to {MAX_COLUMNS} columns.")
    return dataset


def upload_dataset(name: str, raw: bytes) -> tablib.Dataset:
    """An uploaded .csv or .xlsx file as a dataset, within every bound above."""
    if len(raw) > MAX_UPLOAD_BYTES:
        raise SpreadsheetError("file_too_large", "Files are limited to 5 MB.")
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        return xlsx_dataset(raw)
    if lowered.endswith(".csv"):
        return csv_dataset(raw)
    raise SpreadsheetError("file_type", "Upload a .csv or .xlsx file.")


class SafeXLSX(base_formats.XLSX):
    """django-import-export's XLSX format (the dashboards' imports), read within bounds."""

    def create_dataset(self, in_stream: bytes) -> tablib.Dataset:
        if len(in_stream) > MAX_UPLOAD_BYTES:
            raise SpreadsheetError("file_too_large", "Files are limited to 5 MB.")
        return xlsx_dataset(in_stream)


class SafeCSV(base_formats.CSV):
    """django-import-export's CSV format, with the same bounds on size and rows."""

    def create_dataset(self, in_stream: Any) -> tablib.Dataset:
        raw = in_stream.encode("utf-8") if isinstance(in_stream, str) else in_stream
        if len(raw) > MAX_UPLOAD_BYTES:
            raise SpreadsheetError("file_too_large", "Files are limited to 5 MB.")
        dataset = super().create_dataset(in_stream)
        if len(dataset) > MAX_ROWS:
            raise _too_many_rows()
        return dataset


class BoundedImportForm(ImportForm):
    """The dashboards' import form: a file over the limit is refused before it is kept
    anywhere (the next step keeps the upload in the cache)."""

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Files are limited to 5 MB.", code="file_too_large")
        return upload


class BoundedImportAdmin:
    """Mixed into an ImportExportModelAdmin: imports read within the bounds above."""

    import_formats = [SafeCSV, SafeXLSX]
    import_form_class = BoundedImportForm

    def add_data_read_fail_error_to_form(self, form: forms.Form, error: Exception) -> None:
        if isinstance(error, SpreadsheetError):
            form.add_error("import_file", error.detail)  # our reason, not the class name
        else:
            super().add_data_read_fail_error_to_form(form, error)  # type: ignore[misc]
