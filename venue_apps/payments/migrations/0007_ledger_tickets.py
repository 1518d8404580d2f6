"""The ledger counts tickets: `LedgerEntry.tickets`, on the `ticket_sales` entry of a
sale (+ lines sold) and of a refund_due (- lines whose ticket part it gave back in
full), so the platform's invoice reads tickets from the books as it reads money.

Old rows are filled in here, with the append-only trigger off for this migration's
own UPDATE only (the table is locked by the ALTER TABLE until the migration commits,
so nothing else writes meanwhile):
- a sale: the order's lines that were sold (sold now, or refunded since);
- a refund_due: each line whose ticket part is refunded in full now counts -1 on the
  last refund of its order that gave it money (an earlier partial refund of the same
  line counts nothing, which is what the new code does too);
- a sale with no `ticket_sales` entry (its seats were free, only fees were paid) gets
  one of amount 0 carrying its tickets, dated with its journal.
"""

from django.db import migrations, models

BACKFILL = """
-- The balance check now rather than at commit: ALTER TABLE refuses a table with
-- pending trigger events.
SET CONSTRAINTS ALL IMMEDIATE;
ALTER TABLE payments_ledgerentry DISABLE TRIGGER payments_ledgerentry_append_only;

INSERT INTO payments_ledgerentry
    (journal, kind, account, amount, currency, order_id, payment_id, refund_id, memo,
     shift_id, tickets, created_at)
SELECT e.journal, 'sale', 'ticket_sales', 0, e.currency, e.order_id, e.payment_id, NULL,
       e.memo, NULL, 0, e.created_at
FROM payments_ledgerentry e
WHERE e.kind = 'sale' AND e.account = 'customer_funds'
  AND NOT EXISTS (
      SELECT 1 FROM payments_ledgerentry t
      WHERE t.journal = e.journal AND t.account = 'ticket_sales'
  );

UPDATE payments_ledgerentry e SET tickets = sold.lines
FROM (
    SELECT order_id, COUNT(*) AS lines FROM orders_orderline
    WHERE status IN ('sold', 'refunded') GROUP BY order_id
) sold
WHERE e.kind = 'sale' AND e.account = 'ticket_sales' AND e.order_id = sold.order_id;

UPDATE payments_ledgerentry e SET tickets = -given.lines
FROM (
    SELECT last_refund.refund_id, COUNT(*) AS lines
    FROM (
        SELECT (
            SELECT r.id FROM payments_refund r
            WHERE r.order_id = l.order_id
              AND COALESCE((r.lines ->> l.id::text)::bigint, 0) > 0
            ORDER BY r.created_at DESC, r.id DESC
            LIMIT 1
        ) AS refund_id
        FROM orders_orderline l
        WHERE l.total - l.fee_total > 0 AND l.refunded_ticket = l.total - l.fee_total
    ) last_refund
    WHERE last_refund.refund_id IS NOT NULL
    GROUP BY last_refund.refund_id
) given
WHERE e.kind = 'refund_due' AND e.account = 'ticket_sales' AND e.refund_id = given.refund_id;

ALTER TABLE payments_ledgerentry ENABLE TRIGGER payments_ledgerentry_append_only;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("payments", "0006_counter_payments"),
        ("orders", "0008_order_lookup_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerentry",
            name="tickets",
            field=models.IntegerField(default=0),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
