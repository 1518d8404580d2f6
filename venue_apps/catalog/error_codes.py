from enum import StrEnum


class CatalogErrorCode(StrEnum):
    TITLE_INVALID = "title_invalid"
    FORMAT_INVALID = "format_invalid"
    LANGUAGE_INVALID = "language_invalid"
    TITLE_NOT_FOUND = "title_not_found"
