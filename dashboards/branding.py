"""The chain's look on every dashboard page: its logo beside the site's name, and its
primary colour for the header, the breadcrumbs, the buttons and (in the light theme)
the links, each with a text colour that stays readable on it (WCAG contrast)."""

from __future__ import annotations

from dataclasses import dataclass

from tenants.colours import mixed_with, readable_on, readable_text_on
from tenants.models import Tenant

WHITE = "#ffffff"


@dataclass(frozen=True)
class DashboardBrand:
    name: str
    logo_url: str
    css: str


def dashboard_brand(tenant: Tenant) -> DashboardBrand:
    """What the base template needs: the logo's address (the chain's own, else its
    monogram) and the CSS variables of Django admin's theme in the chain's colours.
    The colours are validated `#rrggbb` values, so the CSS holds nothing else."""
    from api.storefront.views import favicon_href  # the storefront's logo or monogram

    primary = tenant.primary_colour
    on_primary = readable_text_on(primary)
    darker = mixed_with(primary, "#000000", 0.25)
    on_darker = readable_text_on(darker)
    link = readable_on(primary, WHITE)
    link_hover = readable_on(mixed_with(primary, "#000000", 0.35), WHITE, ratio=7)
    css = (
        # Both themes: the header and breadcrumbs are the chain's, text readable on them.
        f"html:root,html[data-theme]{{--header-bg:{primary};--header-color:{on_primary};"
        f"--header-branding-color:{on_primary};--header-link-color:{on_primary};"
        f"--breadcrumbs-bg:{darker};--breadcrumbs-fg:{on_darker};"
        f"--breadcrumbs-link-fg:{on_darker};--primary:{primary};--primary-fg:{on_primary};"
        f"--button-bg:{primary};--button-fg:{on_primary};--button-hover-bg:{darker};"
        f"--default-button-bg:{darker};--default-button-hover-bg:{primary}}}"
        # The light theme: links in the chain's colour, dark enough to read on white.
        f"html[data-theme=light]{{--link-fg:{link};--link-hover-color:{link_hover};"
        f"--link-selected-fg:{link_hover}}}"
        f"@media (prefers-color-scheme: light){{html:root:not([data-theme=dark])"
        f"{{--link-fg:{link};--link-hover-color:{link_hover};--link-selected-fg:{link_hover}}}}}"
        # Django's own header colour for `#header a:link` etc. reads the link variables.
        f"#header a:link,#header a:visited,#logout-form button{{color:{on_primary}}}"
        f"div.breadcrumbs a:link,div.breadcrumbs a:visited{{color:{on_darker}}}"
    )
    return DashboardBrand(name=tenant.brand_name, logo_url=favicon_href(tenant), css=css)
