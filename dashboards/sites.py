"""Two admin sites, never the default one.

The platform console (apex domain) shows tenants and platform staff; the tenant
dashboard (a chain's host) shows that chain's own data. Registering tenant-wide models
like Tenant on a site served to chains would expose every chain to every other, since
the public schema stays on the search path; two sites make that impossible by design.
"""

from __future__ import annotations

from functools import update_wrapper

from django.contrib import messages
from django.contrib.admin import AdminSite, ModelAdmin
from django.contrib.admin.views.main import ChangeList
from django.db import connection
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from dashboards import activity, billing, box_office, console, reports, scanner, two_factor
from dashboards.auth import TwoFactorLoginForm, enrolment_due, second_factor_given
from dashboards.branding import dashboard_brand
from dashboards.home import home_context
from tenants.admin import DomainAdmin, PlatformAuditLogAdmin
from tenants.billing.admin import PlanAdmin, PlatformSettingsAdmin, SubscriptionAdmin
from tenants.billing.admin_invoices import InvoiceAdmin
from tenants.billing.admin_signups import SignUpAdmin
from tenants.billing.models import Invoice, Plan, PlatformSettings, SignUp, Subscription
from tenants.models import Domain, PlatformAuditLog, Tenant
from ticketing_platform.bad_requests import BadInput
from venue_apps.accounts.admin import AccountSettingsAdmin, OAuthClientAdmin, UserAdmin
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.accounts.models import AccountSettings, OAuthClient, User
from venue_apps.audit.admin import AuditEntryAdmin
from venue_apps.audit.models import AuditEntry
from venue_apps.catalog.admin import TitleAdmin
from venue_apps.catalog.models import Title
from venue_apps.orders.admin import (
    CancellationPolicyAdmin,
    CheckoutSettingsAdmin,
    PromoCodeAdmin,
    TaxRateAdmin,
)
from venue_apps.orders.models import CancellationPolicy, CheckoutSettings, Order, PromoCode, TaxRate
from venue_apps.payments.admin import (
    FraudDecisionAdmin,
    GatewayAccountAdmin,
    LedgerEntryAdmin,
    PaymentAdmin,
    PaymentSettingsAdmin,
    RefundAdmin,
    WebhookEventAdmin,
)
from venue_apps.payments.models import (
    FraudDecision,
    GatewayAccount,
    LedgerEntry,
    Payment,
    PaymentSettings,
    Refund,
    WebhookEvent,
)
from venue_apps.sales.admin import SaleOrderAdmin, ShowCancellationAdmin
from venue_apps.sales.models import ShowCancellation
from venue_apps.shows.admin import PriceCardAdmin, ShowAdmin
from venue_apps.shows.models import PriceCard, Show
from venue_apps.tickets.admin import (
    CheckInAdmin,
    EmailTemplateAdmin,
    SigningKeyAdmin,
    TextMessageAdmin,
    TicketAdmin,
)
from venue_apps.tickets.models import CheckIn, EmailTemplate, SigningKey, TextMessage, Ticket
from venue_apps.tills.admin import ShiftAdmin, TillAdmin
from venue_apps.tills.models import Shift, Till
from venue_apps.venues.admin import AuditoriumAdmin, SeatCategoryAdmin, VenueAdmin
from venue_apps.venues.models import Auditorium, SeatCategory, Venue
from venue_apps.waiting_room.admin import QueueSettingsAdmin
from venue_apps.waiting_room.models import QueueSettings


class BoundedChangeList(ChangeList):
    """Django's list page, refusing dates out of the calendar's range with a 400.

    A `?starts_at__year=` past a C long, or the calendar's last year or month (the date
    hierarchy's bounds overflow), and a `?created_at__year=` on any date field (Django
    allows lookups on a model's own fields, and computes the year's bounds when the SQL
    is compiled) raised OverflowError or ValueError past Django's own checks: 500s.
    """

    def _out_of_range(self, error: Exception) -> BadInput:
        return BadInput("date_out_of_range", "That date is out of range.")

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (OverflowError, ValueError) as error:
            raise self._out_of_range(error) from error

    def get_results(self, request):
        try:
            return super().get_results(request)
        except (OverflowError, ValueError) as error:
            raise self._out_of_range(error) from error


class BoundedChangeListAdmin:
    def get_changelist(self, request, **kwargs):
        return BoundedChangeList


class StaffSite(AdminSite):
    """What both sites share: the two-factor login, the page to enrol an app, and list
    pages that refuse out-of-range dates (BoundedChangeList) on every model."""

    login_form = TwoFactorLoginForm
    login_template = "dashboards/login.html"

    # What staff who must still set up two factors may open.
    OPEN_BEFORE_TWO_FACTOR = frozenset({"two-factor", "logout", "jsi18n"})

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, BoundedChangeListAdmin):
            # As Django itself does for `options`: a subclass made on registration.
            admin_class = type(admin_class.__name__, (BoundedChangeListAdmin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def get_urls(self):
        page = self.admin_view(lambda r: two_factor.two_factor_page(r, site=self))
        return [path("two-factor/", page, name="two-factor"), *super().get_urls()]

    def admin_view(self, view, cacheable=False):
        """Every page (each model's too): after the site's own sign-in check, staff whose
        chain requires two factors and who have none go to the two-factor page."""

        def guarded(request, *args, **kwargs):
            match = request.resolver_match
            if enrolment_due(request) and (match and match.url_name) not in (
                self.OPEN_BEFORE_TWO_FACTOR
            ):
                messages.warning(
                    request, "Set up two-factor sign-in first: it is required for your account."
                )
                return HttpResponseRedirect(reverse(f"{self.name}:two-factor"))
            return view(request, *args, **kwargs)

        return super().admin_view(update_wrapper(guarded, view), cacheable)


class PlatformConsole(StaffSite):
    site_header = "Platform console"
    site_title = "Platform console"
    index_title = "Platform console"
    index_template = "dashboards/console/index.html"
    # A handful of models, all on the home page; the chain list needs the width.
    enable_nav_sidebar = False

    def index(self, request, extra_context=None):
        # The platform's figures (dashboards/console.py), above Django's app list.
        return super().index(request, {**console.home_context(request), **(extra_context or {})})

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and has_capability(user, Capability.RUN_PLATFORM)
            and second_factor_given(request)
        )


class TenantDashboard(StaffSite):
    index_title = "Dashboard"
    index_template = "dashboards/index.html"

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and has_capability(user, Capability.OPEN_DASHBOARD)
            and second_factor_given(request)
        )

    def index(self, request, extra_context=None):
        # Door staff have one page: the scanner.
        if not has_capability(request.user, Capability.BROWSE_DASHBOARD):
            return HttpResponseRedirect(reverse(f"{self.name}:scan"))
        extra_context = {
            **home_context(request, self),
            **(extra_context or {}),
            "can_sell_at_box_office": has_capability(request.user, Capability.SELL_AT_BOX_OFFICE),
        }
        return super().index(request, extra_context)

    def get_app_list(self, request, app_label=None):
        """Django's apps, the reports first (for those who may read them), then billing
        (for owners): in the nav sidebar and on the home page."""
        apps = super().get_app_list(request, app_label)
        if app_label is not None:
            return apps
        billing_section = self._billing_section(request)
        if not has_capability(request.user, Capability.READ_REPORTS):
            return [*billing_section, *apps]
        pages = [
            {
                "name": report.title,
                "object_name": f"report-{report.slug}",
                "perms": {"view": True},
                "admin_url": reverse(f"{self.name}:report", args=[report.slug]),
                "add_url": None,
                "view_only": True,
            }
            for report in reports.REPORTS.values()
        ]
        section = {
            "name": "Reports",
            # django-tenants' app list greys out a section whose label is no tenant app;
            # the reports read the payments app's ledger.
            "app_label": "payments",
            "app_url": reverse(f"{self.name}:reports"),
            "has_module_perms": True,
            "models": pages,
        }
        return [section, *billing_section, *apps]

    def _billing_section(self, request) -> list[dict]:
        # The platform's invoices, for the chain's owners (issue 16, "dunning").
        if not has_capability(request.user, Capability.MANAGE_BILLING):
            return []
        url = reverse(f"{self.name}:billing")
        return [
            {
                "name": "Billing",
                "app_label": "accounts",
                "app_url": url,
                "has_module_perms": True,
                "models": [
                    {
                        "name": "Plan, card and invoices",
                        "object_name": "billing",
                        "perms": {"view": True},
                        "admin_url": url,
                        "add_url": None,
                        "view_only": True,
                    }
                ],
            }
        ]

    def get_urls(self):
        return [
            path("scan/", self.admin_view(lambda r: scanner.scan_page(r, site=self)), name="scan"),
            path("scan/check/", self.admin_view(scanner.scan_check), name="scan-check"),
            path(
                "activity/",
                self.admin_view(lambda r: activity.activity_page(r, site=self)),
                name="activity",
            ),
            path(
                "reports/",
                self.admin_view(lambda r: reports.reports_index(r, site=self)),
                name="reports",
            ),
            path(
                "reports/<slug:slug>/",
                self.admin_view(lambda r, slug: reports.report_page(r, slug, site=self)),
                name="report",
            ),
            path(
                "box-office/",
                self.admin_view(lambda r: box_office.box_office_page(r, site=self)),
                name="box-office",
            ),
            # The owner's billing page (issue 16, "dunning").
            path(
                "billing/",
                self.admin_view(lambda r: billing.billing_page(r, site=self)),
                name="billing",
            ),
            path(
                "billing/card/",
                self.admin_view(lambda r: billing.card_add(r, site=self)),
                name="billing-card",
            ),
            path(
                "billing/card/return/",
                self.admin_view(lambda r: billing.card_return(r, site=self)),
                name="billing-card-return",
            ),
            path(
                "billing/invoices/<str:number>/pay/",
                self.admin_view(lambda r, number: billing.pay_now(r, number, site=self)),
                name="billing-pay",
            ),
            path(
                "billing/invoices/<str:number>/pdf/",
                self.admin_view(lambda r, number: billing.invoice_pdf(r, number, site=self)),
                name="billing-invoice-pdf",
            ),
            *super().get_urls(),
        ]

    def each_context(self, request):
        context = super().each_context(request)
        context["billing_banner"] = billing.billing_banner(request)
        tenant = getattr(request, "tenant", None)
        name = tenant.brand_name if tenant else connection.schema_name
        context.update(site_header=f"{name} dashboard", site_title=name)
        if tenant is not None and not tenant.is_public:
            context["brand"] = dashboard_brand(tenant)
        return context


platform_console = PlatformConsole(name="console")
platform_console.register(Tenant, console.ConsoleTenantAdmin)
platform_console.register(Domain, DomainAdmin)
platform_console.register(PlatformAuditLog, PlatformAuditLogAdmin)
platform_console.register(User, UserAdmin)
# Invoices with their charges, settled by hand or charged now (issue 16, "dunning").
platform_console.register(Invoice, InvoiceAdmin)
# Issue 16, console part: plans, subscriptions and the platform's settings.
platform_console.register(Plan, PlanAdmin)
platform_console.register(Subscription, SubscriptionAdmin)
platform_console.register(PlatformSettings, PlatformSettingsAdmin)
# --- issue 16, sign-up: chains that signed up themselves, waiting ones first.
platform_console.register(SignUp, SignUpAdmin)

tenant_dashboard = TenantDashboard(name="dashboard")
tenant_dashboard.register(User, UserAdmin)
tenant_dashboard.register(OAuthClient, OAuthClientAdmin)
tenant_dashboard.register(AccountSettings, AccountSettingsAdmin)
tenant_dashboard.register(Venue, VenueAdmin)
tenant_dashboard.register(SeatCategory, SeatCategoryAdmin)
tenant_dashboard.register(Auditorium, AuditoriumAdmin)
tenant_dashboard.register(Title, TitleAdmin)
tenant_dashboard.register(PriceCard, PriceCardAdmin)
tenant_dashboard.register(Show, ShowAdmin)
tenant_dashboard.register(QueueSettings, QueueSettingsAdmin)
tenant_dashboard.register(ShowCancellation, ShowCancellationAdmin)
tenant_dashboard.register(Order, SaleOrderAdmin)
tenant_dashboard.register(PromoCode, PromoCodeAdmin)
tenant_dashboard.register(CheckoutSettings, CheckoutSettingsAdmin)
tenant_dashboard.register(TaxRate, TaxRateAdmin)
tenant_dashboard.register(CancellationPolicy, CancellationPolicyAdmin)
tenant_dashboard.register(Payment, PaymentAdmin)
tenant_dashboard.register(Refund, RefundAdmin)
tenant_dashboard.register(LedgerEntry, LedgerEntryAdmin)
tenant_dashboard.register(WebhookEvent, WebhookEventAdmin)
tenant_dashboard.register(FraudDecision, FraudDecisionAdmin)
tenant_dashboard.register(GatewayAccount, GatewayAccountAdmin)
tenant_dashboard.register(PaymentSettings, PaymentSettingsAdmin)
tenant_dashboard.register(Ticket, TicketAdmin)
tenant_dashboard.register(CheckIn, CheckInAdmin)
tenant_dashboard.register(EmailTemplate, EmailTemplateAdmin)
tenant_dashboard.register(SigningKey, SigningKeyAdmin)
tenant_dashboard.register(TextMessage, TextMessageAdmin)
tenant_dashboard.register(AuditEntry, AuditEntryAdmin)
tenant_dashboard.register(Till, TillAdmin)
tenant_dashboard.register(Shift, ShiftAdmin)
