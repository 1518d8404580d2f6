"""Bulk import and export of titles (CSV, XLSX) with django-import-export.

Rows are matched by `slug` (blank: a new title, slugged from its name). Every row is
validated by the same rules as the API; with any row in error nothing is imported.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.text import slugify
from import_export import fields, resources, widgets

from tenants.cache import cache_namespace_bump
from tenants.error_codes import DomainError
from venue_apps.catalog.models import Title
from venue_apps.catalog.services import CATALOG_CACHE, title_fields_clean, title_search_refresh

_LISTS = ("genres", "languages", "formats")


class TitleResource(resources.ModelResource):
    genres = fields.Field(
        attribute="genres", column_name="genres", widget=widgets.SimpleArrayWidget()
    )
    languages = fields.Field(
        attribute="languages", column_name="languages", widget=widgets.SimpleArrayWidget()
    )
    formats = fields.Field(
        attribute="formats", column_name="formats", widget=widgets.SimpleArrayWidget()
    )

    class Meta:
        model = Title
        import_id_fields = ("slug",)
        fields = (
            "slug",
            "name",
            "kind",
            "runtime_minutes",
            "certificate",
            "minimum_age",
            "genres",
            "languages",
            "formats",
            "release_date",
            "synopsis",
            "poster_url",
            "trailer_url",
            "is_active",
        )
        export_order = fields
        skip_unchanged = True
        clean_model_instances = True
        use_transactions = True

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        self._new_slugs: set[str] = set()
        if "slug" not in (dataset.headers or []):
            # New titles only: the slug column may be left out of the file.
            dataset.append_col([""] * len(dataset), header="slug")

    def before_import_row(self, row: dict, **kwargs: Any) -> None:
        if not (row.get("slug") or "").strip() and (row.get("name") or "").strip():
            base = slugify(row["name"])[:180] or "title"
            slug, counter = base, 2
            while slug in self._new_slugs or Title.objects.filter(slug=slug).exists():
                slug, counter = f"{base}-{counter}", counter + 1
            self._new_slugs.add(slug)
            row["slug"] = slug
        for name in _LISTS:
            if row.get(name) is None:
                row[name] = ""

    def before_save_instance(self, instance: Title, row: dict, **kwargs: Any) -> None:
        values = {
            name: getattr(instance, name) for name in ("kind", "name", "runtime_minutes", *_LISTS)
        }
        values = {
            name: [v for v in value if v] if name in _LISTS else value
            for name, value in values.items()
        }
        try:
            cleaned = title_fields_clean(values)
        except DomainError as error:
            raise ValidationError(error.detail) from error
        for name, value in cleaned.items():
            setattr(instance, name, value)

    def after_save_instance(self, instance: Title, row: dict, **kwargs: Any) -> None:
        title_search_refresh([instance.pk])

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        cache_namespace_bump(CATALOG_CACHE)
