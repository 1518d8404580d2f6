"""User accounts. The same table exists in every schema.

In a tenant schema it holds that chain's staff and customers; in the public schema it
holds platform staff. A user therefore belongs to exactly one tenant (or to the
platform), and an email address may be registered with two chains independently.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    MANAGER = "manager", "Manager"
    BOX_OFFICE = "box_office", "Box office"
    SCANNER = "scanner", "Scanner"
    CUSTOMER = "customer", "Customer"
    # Only in the public schema: the platform's own staff.
    PLATFORM_STAFF = "platform_staff", "Platform staff"


TENANT_ROLES = (Role.OWNER, Role.MANAGER, Role.BOX_OFFICE, Role.SCANNER, Role.CUSTOMER)
# The apps of the chain's programme, which managers run in full.
PROGRAMME_APPS = frozenset({"venues", "catalog", "shows", "inventory"})
# Managers also run orders, refunds and promotions, and read the books; the payment
# keys and settings are the owner's alone (their dashboard pages check the role).
MANAGER_APPS = PROGRAMME_APPS | {"orders", "payments", "tickets"}
OWNER_ONLY_MODELS = frozenset(
    {"gatewayaccount", "paymentsettings", "paymentauditlog", "signingkey"}
)
# Roles that may open the tenant dashboard (Django admin); scanners see only the door
# scanner page there.
DASHBOARD_ROLES = frozenset({Role.OWNER, Role.MANAGER, Role.SCANNER})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        fields.setdefault("role", Role.CUSTOMER)
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.update(role=Role.PLATFORM_STAFF, is_superuser=True)
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(max_length=254, unique=True)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # Django reads it from the class

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_staff(self) -> bool:
        """May sign in to the dashboard (Django admin) of this schema: follows the role."""
        return self.role in DASHBOARD_ROLES or self.role == Role.PLATFORM_STAFF

    @property
    def holds_every_permission(self) -> bool:
        # An owner holds every permission of their own chain's dashboard and nothing
        # outside it: the user table, and so the role, is per schema.
        return self.is_active and self.role in (Role.OWNER, Role.PLATFORM_STAFF)

    def _manages(self, app_label: str, codename: str = "") -> bool:
        if not (self.is_active and self.role == Role.MANAGER and app_label in MANAGER_APPS):
            return False
        model = codename.split("_", 1)[1] if "_" in codename else ""
        return model not in OWNER_ONLY_MODELS

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        app_label, _, codename = perm.partition(".")
        return (
            self.holds_every_permission
            or self._manages(app_label, codename)
            or super().has_perm(perm, obj)
        )

    def has_module_perms(self, app_label: str) -> bool:
        return (
            self.holds_every_permission
            or self._manages(app_label)
            or super().has_module_perms(app_label)
        )


def roles_for_schema(schema_name: str) -> tuple[Role, ...]:
    """The roles an account may hold in a schema: platform staff only in `public`."""
    return (Role.PLATFORM_STAFF,) if schema_name == "public" else TENANT_ROLES
