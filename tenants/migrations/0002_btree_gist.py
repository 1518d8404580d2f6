"""btree_gist, in the public schema where every tenant schema's search path finds it.

Tenant tables use it for exclusion constraints (no two shows overlap in one
auditorium). Created from a tenant's own migration it would land in that tenant's
schema and stay invisible to the others, so the public migrations create it first.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public",
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
