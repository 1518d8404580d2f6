"""Copy the rows of payments' own audit table (PaymentAuditLog) into the chain's one
audit log, with dotted action names; payments' next migration removes the old table.

The mapping is the one `venue_apps.payments.services.audit.payments_audit` writes
today, frozen here as migrations must be."""

from django.db import migrations

PROVIDER_NAMES = {"stripe": "Stripe", "razorpay": "Razorpay"}


def _entry(AuditEntry, row):
    details = dict(row.details or {})
    entry = AuditEntry(
        created_at=row.created_at,
        actor_id=row.actor_id,
        actor_email=row.actor_email if row.actor_id else "",
    )
    if row.action == "payment_settings_changed":
        entry.action = "payment_settings.changed"
        entry.target_type, entry.target_id = "payments.paymentsettings", "1"
        entry.target_label = "Payment settings"
        entry.before = details.pop("old", {})
        entry.after = details.pop("new", {})
    elif row.action == "gateway_keys_set":
        provider, mode = details.pop("provider", ""), details.pop("mode", "")
        entry.action = "gateway.keys_changed"
        entry.target_type, entry.target_id = "payments.gateway", f"{provider}:{mode}"
        entry.target_label = f"{PROVIDER_NAMES.get(provider, provider)} {mode} keys"
        entry.before = {}
        entry.after = {
            "public_key": details.pop("public_key", ""),
            "is_active": details.pop("is_active", True),
        }
    else:
        entry.action = f"payments.{row.action}"
        entry.before, entry.after = {}, {}
    entry.details = details
    return entry


def copy_rows(apps, schema_editor):
    PaymentAuditLog = apps.get_model("payments", "PaymentAuditLog")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    rows = PaymentAuditLog.objects.order_by("created_at", "id").iterator(chunk_size=500)
    AuditEntry.objects.bulk_create((_entry(AuditEntry, row) for row in rows), batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("payments", "0004_payment_reconciled_at"),
    ]

    operations = [migrations.RunPython(copy_rows, migrations.RunPython.noop)]
