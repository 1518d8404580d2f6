"""Copy the rows of orders' own history table (OrderLog) into the chain's one audit
log: `order.<action>` (`order.paid`, `order.cancelled`), the order as the target, as
`venue_apps.orders.services.order_log` writes them now; orders' next migration removes
the old table. Rows written before this keep their old names (`order.ticket_reissued`,
`order.refund_sent_again`), on the order: they never named the ticket or refund as a
target. The order page's history shows both."""

import re

from django.db import migrations


def _action(action):
    name = re.sub(r"[^a-z0-9_]+", "_", (action or "").lower()).strip("_") or "changed"
    if not name[0].isalpha():
        name = f"x{name}"
    return f"order.{name}"[:64]


def _entry(AuditEntry, row, order):
    return AuditEntry(
        created_at=row.created_at,
        actor_id=row.actor_id,
        actor_email=row.actor_email if row.actor_id else "",
        action=_action(row.action),
        target_type="orders.order",
        target_id=str(row.order_id),
        # As `str(order)` labels it (historical models have no __str__).
        target_label=f"order {order.reference} ({order.status})"[:200] if order else "",
        before={},
        after={},
        details=dict(row.details or {}),
    )


def copy_rows(apps, schema_editor):
    OrderLog = apps.get_model("orders", "OrderLog")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    rows = OrderLog.objects.select_related("order").order_by("created_at", "id")
    AuditEntry.objects.bulk_create(
        (_entry(AuditEntry, row, row.order) for row in rows.iterator(chunk_size=500)),
        batch_size=500,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_payment_audit_log_copied"),
        ("orders", "0005_alter_order_reason"),
    ]

    operations = [migrations.RunPython(copy_rows, migrations.RunPython.noop)]
