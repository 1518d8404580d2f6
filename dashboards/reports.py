"""The chain dashboard's reports: a date range, a chart, a table with totals, and the
same table as CSV or XLSX (`?format=csv|xlsx`).

Every figure comes from `venue_apps.payments.reports` (the ledger for money, the show
seats for occupancy), so a page, its export and the API agree to the minor unit. Pages
show money in the currency's units; exports carry units as numbers, the currency named
in each money column's heading. Reading them takes READ_REPORTS (managers and owners).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import tablib
from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from dashboards.charts import chart_data, charts_assets, units
from venue_apps.accounts.capabilities import Capability, has_capability
from venue_apps.orders.selectors import money
from venue_apps.payments import reports
from venue_apps.payments.today import figures_of_test_money

# As the API: at most a (leap) year, days the chain's zone can hold.
MAX_DAYS = 366
FIRST_DAY, LAST_DAY = datetime.date(2000, 1, 1), datetime.date(2999, 12, 31)
# The range a report opens with: the last 30 days, today included.
DEFAULT_DAYS = 30
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Horizontal bars (one row per label) up to this many; more are drawn as columns.
MAX_ROWS_ACROSS = 25
# A text cell starting with one of these is a formula to a spreadsheet (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- the table -------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    heading: str
    kind: str = "count"  # "text", "count", "money" (minor units) or "share" (0..1)


@dataclass
class Table:
    columns: list[Column]
    rows: list[dict[str, Any]]
    totals: dict[str, Any] | None
    currency: str
    chart: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    @property
    def has_money(self) -> bool:
        return any(column.kind == "money" for column in self.columns)

    def shown(self, value: Any, column: Column) -> str:
        if value is None or value == "":
            return ""
        if column.kind == "money":
            return money(int(value), self.currency)
        if column.kind == "share":
            return f"{value * 100:.1f}%"
        if column.kind == "count":
            return f"{value:,}"
        return str(value)

    def page_rows(self) -> list[list[tuple[str, str]]]:
        return [
            [(self.shown(row.get(c.name), c), c.kind) for c in self.columns] for row in self.rows
        ]

    def page_totals(self) -> list[tuple[str, str]] | None:
        if self.totals is None:
            return None
        cells = [(self.shown(self.totals.get(c.name), c), c.kind) for c in self.columns]
        cells[0] = ("Total", "text")
        return cells

    def exported(self, value: Any, column: Column) -> Any:
        if value is None:
            return ""
        if column.kind == "money":
            return units(int(value), self.currency)
        if column.kind == "share":
            return round(value * 100, 2)
        if isinstance(value, str) and value.startswith(FORMULA_STARTS):
            return "'" + value
        return value

    def headings(self) -> list[str]:
        return [
            f"{c.heading} ({self.currency})"
            if c.kind == "money"
            else f"{c.heading} (%)"
            if c.kind == "share"
            else c.heading
            for c in self.columns
        ]

    def dataset(self) -> tablib.Dataset:
        data = tablib.Dataset(headers=self.headings())
        for row in self.rows:
            data.append([self.exported(row.get(c.name), c) for c in self.columns])
        if self.totals is not None:
            cells = [self.exported(self.totals.get(c.name), c) for c in self.columns]
            data.append(["Total", *cells[1:]])
        return data


# --- the reports -----------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    first: datetime.date
    last: datetime.date
    group: str
    timezone: str
    currency: str
    test_mode: bool
    colour: str

    @property
    def money(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "last": self.last,
            "timezone": self.timezone,
            "currency": self.currency,
            "test_mode": self.test_mode,
        }

    def days(self) -> list[str]:
        count = (self.last - self.first).days + 1
        return [(self.first + datetime.timedelta(days=n)).isoformat() for n in range(count)]


def _amounts(rows: list[dict[str, Any]], name: str, currency: str) -> list[float]:
    return [float(units(row[name], currency)) for row in rows]


def _money_chart(query: Range, rows: list[dict[str, Any]], **names: str) -> dict[str, Any]:
    """Bars of money columns (`name="Legend"`) per row, in the currency's units."""
    return chart_data(
        kind="bar",
        labels=[row["label"] for row in rows],
        datasets=[
            {"label": legend, "data": _amounts(rows, name, query.currency)}
            for name, legend in names.items()
        ],
        colour=query.colour,
        currency=query.currency,
        horizontal=len(names) == 1 and len(rows) <= MAX_ROWS_ACROSS,
    )


SALES_GROUPS = {"day": "Day", "title": "Title", "venue": "Venue", "show": "Show"}


def _sales(query: Range) -> Table:
    report = reports.sales_report(group=query.group, **query.money)
    rows, currency = report["rows"], query.currency
    columns = [
        Column("label", SALES_GROUPS[query.group], "text"),
        Column("tickets", "Tickets"),
        Column("gross", "Gross", "money"),
        Column("refunds", "Refunds", "money"),
        Column("net", "Net", "money"),
    ]
    if query.group == "day":
        # Every day of the range on the chart, the days without sales at zero.
        by_day = {row["key"]: row for row in rows}
        empty = {"tickets": 0, "gross": 0, "refunds": 0, "net": 0}
        days = [by_day.get(day, empty) for day in query.days()]
        chart = chart_data(
            kind="bar",
            labels=[f"{datetime.date.fromisoformat(day):%d %b}" for day in query.days()],
            datasets=[
                {"label": "Gross", "data": _amounts(days, "gross", currency)},
                {"label": "Refunds", "data": _amounts(days, "refunds", currency)},
            ],
            colour=query.colour,
            currency=currency,
        )
    else:
        chart = _money_chart(query, rows, net="Net")
    return Table(columns, rows, report["totals"], currency, chart)


OCCUPANCY_GROUPS = {"show": "By show", "hour": "By time of day"}


def _occupancy(query: Range) -> Table:
    money_free = {"first": query.first, "last": query.last, "timezone": query.timezone}
    zone = timezone.get_current_timezone()
    if query.group == "hour":
        rows = reports.occupancy_by_hour(**money_free)
        first = Column("label", "Starts at", "text")
        extra = [Column("shows", "Shows")]
    else:
        rows = [
            {
                **show,
                "label": f"{show['title']}, {show['venue']}, "
                f"{show['starts_at'].astimezone(zone):%Y-%m-%d %H:%M}",
            }
            for show in reports.shows_occupancy(**money_free)
        ]
        first, extra = Column("label", "Show", "text"), []
    sums = {name: sum(row[name] for row in rows) for name in ("capacity", "sold", "held")}
    totals = {
        **sums,
        "occupancy": round(sums["sold"] / sums["capacity"], 4) if sums["capacity"] else 0.0,
    }
    if query.group == "hour":
        totals["shows"] = sum(row["shows"] for row in rows)
    columns = [
        first,
        *extra,
        Column("capacity", "Capacity"),
        Column("sold", "Sold"),
        Column("held", "Held"),
        Column("occupancy", "Occupancy", "share"),
    ]
    if query.group == "hour":
        chart = chart_data(
            kind="bar",
            labels=[row["label"] for row in rows],
            datasets=[{"label": "Occupancy", "data": [row["occupancy"] * 100 for row in rows]}],
            colour=query.colour,
            percent=True,
        )
    elif len(rows) <= MAX_ROWS_ACROSS:
        chart = chart_data(
            kind="bar",
            labels=[row["label"] for row in rows],
            datasets=[
                {"label": "Sold", "data": [row["sold"] for row in rows]},
                {"label": "Held", "data": [row["held"] for row in rows]},
                {
                    "label": "Free",
                    "data": [row["capacity"] - row["sold"] - row["held"] for row in rows],
                },
            ],
            colour=query.colour,
            stacked=True,
            horizontal=True,
        )
    else:  # many shows: each one's occupancy, in the order they start
        chart = chart_data(
            kind="bar",
            labels=[row["label"] for row in rows],
            datasets=[{"label": "Occupancy", "data": [row["occupancy"] * 100 for row in rows]}],
            colour=query.colour,
            percent=True,
        )
    return Table(columns, rows, totals, query.currency, chart)


REFUND_GROUPS = {"day": "Per day", "reason": "By reason"}


def _refunds(query: Range) -> Table:
    report = reports.refunds_report(**query.money)
    rows = report["by_reason"] if query.group == "reason" else report["rows"]
    columns = [
        Column("label", "Reason" if query.group == "reason" else "Day", "text"),
        Column("count", "Refunds"),
        Column("amount", "Amount", "money"),
    ]
    chart = _money_chart(query, rows, amount="Refunded")
    return Table(columns, rows, report["totals"], query.currency, chart)


def _promo_codes(query: Range) -> Table:
    report = reports.promo_codes_report(**query.money)
    rows = report["rows"]
    columns = [
        Column("label", "Code", "text"),
        Column("orders", "Orders"),
        Column("discount", "Discount", "money"),
        Column("gross", "Gross", "money"),
    ]
    chart = _money_chart(query, rows, discount="Discount")
    return Table(columns, rows, report["totals"], query.currency, chart)


def _payment_methods(query: Range) -> Table:
    report = reports.payment_methods_report(**query.money)
    rows = report["rows"]
    columns = [
        Column("label", "Provider", "text"),
        Column("payments", "Payments"),
        Column("gross", "Gross", "money"),
        Column("refunds", "Refunds", "money"),
        Column("net", "Net", "money"),
    ]
    chart = _money_chart(query, rows, gross="Gross", refunds="Refunds")
    return Table(columns, rows, report["totals"], query.currency, chart)


@dataclass(frozen=True)
class Report:
    slug: str
    title: str
    summary: str
    build: Callable[[Range], Table]
    groups: dict[str, str] = field(default_factory=lambda: {"all": ""})


REPORTS = {
    report.slug: report
    for report in (
        Report(
            "sales",
            "Sales",
            "Tickets, gross, refunds and net from the ledger, per day, title, venue or show. "
            "Gross is what sales took (tickets, booking fees, tax) on the day they were "
            "posted; refunds count on the day they were decided.",
            _sales,
            SALES_GROUPS,
        ),
        Report(
            "occupancy",
            "Occupancy",
            "Seats sold and held now of the shows starting in the range, by show or by "
            "the hour they start.",
            _occupancy,
            OCCUPANCY_GROUPS,
        ),
        Report(
            "refunds",
            "Refunds",
            "Refunds decided in the range (sales given back, and money that never became a "
            "sale), per day or by reason.",
            _refunds,
            REFUND_GROUPS,
        ),
        Report(
            "promo-codes",
            "Promo codes",
            "Codes used on the sales posted in the range: orders, their discount and gross.",
            _promo_codes,
        ),
        Report(
            "payment-methods",
            "Payment methods",
            "Per provider: payments captured, gross, refunds sent (less any that came back) "
            "and net.",
            _payment_methods,
        ),
    )
}


# --- the form --------------------------------------------------------------------------


class RangeForm(forms.Form):
    """`from` and `to` (days in the chain's zone, both included), `group` and `format`."""

    locals()["from"] = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    to = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))
    group = forms.CharField(required=False)
    format = forms.CharField(required=False)

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report

    def _day(self, name: str) -> datetime.date:
        day = self.cleaned_data[name]
        if not FIRST_DAY <= day <= LAST_DAY:
            raise forms.ValidationError("Give a day between 2000-01-01 and 2999-12-31.")
        return day

    def clean_from(self) -> datetime.date:
        return self._day("from")

    def clean_to(self) -> datetime.date:
        return self._day("to")

    def clean_group(self) -> str:
        group = self.cleaned_data["group"] or next(iter(self.report.groups))
        if group not in self.report.groups:
            raise forms.ValidationError(f"Choose one of: {', '.join(self.report.groups)}.")
        return group

    def clean_format(self) -> str:
        chosen = self.cleaned_data["format"]
        if chosen and chosen not in FORMATS:
            raise forms.ValidationError("Export as csv or xlsx.")
        return chosen

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, last = data.get("from"), data.get("to")
        if first and last:
            if first > last:
                self.add_error("to", "`To` must not be before `From`.")
            elif (last - first).days + 1 > MAX_DAYS:
                self.add_error("to", f"A report covers at most {MAX_DAYS} days.")
        return data


def _query(request: HttpRequest, report: Report) -> RangeForm:
    params = request.GET.copy()
    if "from" not in params and "to" not in params:
        today = timezone.localdate()
        params["from"] = (today - datetime.timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        params["to"] = today.isoformat()
    return RangeForm(params, report=report)


# --- the pages -------------------------------------------------------------------------


def _allowed(request: HttpRequest) -> None:
    if not has_capability(request.user, Capability.READ_REPORTS):
        raise PermissionDenied


def _common(request: HttpRequest, site: Any, title: str) -> dict[str, Any]:
    return {
        **site.each_context(request),
        "title": title,
        "reports": [
            (report, reverse(f"{site.name}:report", args=[report.slug]))
            for report in REPORTS.values()
        ],
        "test_money": figures_of_test_money(),
        "charts_assets": charts_assets(request),
        "brand_colour": getattr(getattr(request, "tenant", None), "primary_colour", "#1f2937"),
    }


def reports_index(request: HttpRequest, *, site: Any) -> HttpResponse:
    _allowed(request)
    return render(request, "dashboards/reports/index.html", _common(request, site, "Reports"))


def _download(table: Table, name: str, chosen: str) -> HttpResponse:
    response = HttpResponse(table.dataset().export(chosen), content_type=FORMATS[chosen])
    response["Content-Disposition"] = f'attachment; filename="{name}.{chosen}"'
    response["Cache-Control"] = "no-store"
    return response


def report_page(request: HttpRequest, slug: str, *, site: Any) -> HttpResponse:
    _allowed(request)
    report = REPORTS.get(slug)
    if report is None:
        raise Http404("No such report.")
    form = _query(request, report)
    context = {**_common(request, site, report.title), "report": report, "form": form}
    if not form.is_valid():
        return render(request, "dashboards/reports/report.html", context, status=400)
    tenant = request.tenant  # type: ignore[attr-defined]
    values = form.cleaned_data
    query = Range(
        first=values["from"],
        last=values["to"],
        group=values["group"],
        timezone=tenant.timezone,
        currency=tenant.currency,
        test_mode=context["test_money"],
        colour=tenant.primary_colour,
    )
    table = report.build(query)
    if values["format"]:
        group = f"-by-{query.group}" if len(report.groups) > 1 else ""
        name = f"{report.slug}{group}-{query.first}-to-{query.last}"
        return _download(table, name, values["format"])
    base = {"from": query.first.isoformat(), "to": query.last.isoformat(), "group": query.group}
    context.update(
        table=table,
        query=query,
        tabs=[
            (group, label, "?" + _encode({**base, "group": group}))
            for group, label in report.groups.items()
            if label
        ],
        exports=[(chosen.upper(), "?" + _encode({**base, "format": chosen})) for chosen in FORMATS],
        chart_id=f"chart-{report.slug}",
    )
    return render(request, "dashboards/reports/report.html", context)


def _encode(params: dict[str, str]) -> str:
    return urlencode(params)
