# Hardening (issue 13, item 1): each tickets email is asked for in the transaction that
# issues the tickets, and each attempt at it is counted before it starts, so that an
# email whose attempts keep killing workers is given up (tenants/deliveries.py).

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0002_signingkey_compromised_at_ticketdelivery'),
    ]

    operations = [
        migrations.AddField(
            model_name='ticketdelivery',
            name='attempt_started_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticketdelivery',
            name='crashes',
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddField(
            model_name='ticketdelivery',
            name='given_up_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticketdelivery',
            name='last_attempt_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='ticketdelivery',
            name='requested_at',
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        # Emails asked for before this release were asked for when their order was paid;
        # the migration's own time would make the sweep send long-failed emails again.
        migrations.RunSQL(
            sql="""
                UPDATE tickets_ticketdelivery AS delivery
                   SET requested_at = orders_order.paid_at
                  FROM orders_order
                 WHERE orders_order.id = delivery.order_id
                   AND orders_order.paid_at IS NOT NULL
            """,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
