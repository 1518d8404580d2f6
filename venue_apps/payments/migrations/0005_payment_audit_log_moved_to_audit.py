"""PaymentAuditLog's rows now live in the chain's one audit log (copied by
audit.0002_payment_audit_log_copied, which must run first); its table goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0004_payment_reconciled_at"),
        ("audit", "0002_payment_audit_log_copied"),
    ]

    operations = [
        migrations.DeleteModel(
            name="PaymentAuditLog",
        ),
    ]
