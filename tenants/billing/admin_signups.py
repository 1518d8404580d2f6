"""Sign-ups in the platform console (registered in dashboards.sites): those waiting for
approval first, with actions to approve or refuse going live. Read-only otherwise: a
sign-up is what the person typed, and its password hash and token digest are never
shown."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Case, IntegerField, QuerySet, Value, When

from tenants.billing.models import SignUp
from tenants.billing.signups import signup_approve, signup_refuse
from tenants.error_codes import DomainError

SECRET_FIELDS = ("password_hash", "token_digest")


class SignUpAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "slug",
        "owner_email",
        "plan",
        "status",
        "approval",
        "created_at",
        "verified_at",
        "decided_by",
    ]
    list_filter = ["approval", "status", "plan"]
    search_fields = ["name", "slug", "owner_email"]
    exclude = SECRET_FIELDS
    readonly_fields = [
        "name",
        "slug",
        "owner_email",
        "currency",
        "timezone",
        "plan",
        "status",
        "approval",
        "approval_note",
        "client_address",
        "tenant",
        "created_at",
        "verified_at",
        "decided_at",
        "decided_by",
    ]
    actions = ["approve", "refuse"]

    def get_queryset(self, request) -> QuerySet[SignUp]:
        return super().get_queryset(request).select_related("plan", "tenant")

    def get_ordering(self, request) -> list:
        # Sign-ups waiting for a decision first, then the newest.
        waiting_first = Case(
            When(approval=SignUp.Approval.WAITING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
        return [waiting_first.asc(), "-created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        # The list's actions need it; every field stays read-only.
        return obj is None

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def _decide(self, request, queryset, decide, done: str) -> None:
        decided = 0
        for signup in queryset:
            try:
                decide(signup)
            except DomainError as refusal:
                messages.error(request, refusal.detail)
            else:
                decided += 1
        if decided:
            messages.success(request, f"{done} {decided} chain(s).")

    @admin.action(description="Approve going live")
    def approve(self, request, queryset) -> None:
        self._decide(
            request, queryset, lambda signup: signup_approve(signup, actor=request.user), "Approved"
        )

    @admin.action(description="Refuse going live")
    def refuse(self, request, queryset) -> None:
        self._decide(
            request,
            queryset,
            lambda signup: signup_refuse(
                signup, actor=request.user, note="Refused by the platform's staff."
            ),
            "Refused",
        )
