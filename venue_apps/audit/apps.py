from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "venue_apps.audit"
    label = "audit"
    verbose_name = "Audit log"
