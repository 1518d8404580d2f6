# Hardening (issue 13, item 1): a chain's email wording is no longer a Django template
# but text with `{{ name }}` placeholders only (tenants/placeholders.py).
#
# Wording that used only placeholders reads the same and keeps working. This migration
# removes what never changed the email, so that copies of our own default wording keep
# working too: `{% autoescape off %}` / `{% endautoescape %}` (emails were rendered
# without escaping anyway), comments, and `|safe` after a placeholder. Nothing else is
# rewritten: wording that still uses tags or filters (`{% if %}`, `|upper`) is left as
# the chain wrote it, the default wording is sent meanwhile, and the dashboard's
# Tickets -> Email templates page says what to change.

import re

from django.db import migrations

_NO_OPS = [
    (re.compile(r"\{%\s*(?:autoescape\s+off|endautoescape)\s*%\}"), ""),
    (re.compile(r"\{#.*?#\}"), ""),
    (re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\|\s*safe\s*\}\}"), r"{{ \1 }}"),
]


def _cleaned(text):
    for pattern, replacement in _NO_OPS:
        text = pattern.sub(replacement, text)
    return text


def forwards(apps, schema_editor):
    EmailTemplate = apps.get_model('tickets', 'EmailTemplate')
    for template in EmailTemplate.objects.all():
        subject, body = _cleaned(template.subject), _cleaned(template.body)
        if (subject, body) != (template.subject, template.body):
            EmailTemplate.objects.filter(pk=template.pk).update(subject=subject, body=body)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0003_ticket_delivery_attempts'),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
