from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Tenants"

    def ready(self) -> None:
        from django.core.signals import request_finished

        from tenants.middleware import serving_schema_forget

        # A WSGI thread serves one request after another: what one request served must
        # not name the lines logged after it (the next request names its own).
        request_finished.connect(serving_schema_forget, dispatch_uid="tenants.serving_schema")
        from tenants import checks  # noqa: F401  (registers them)
