"""User accounts. The same table exists in every schema.

In a tenant schema it holds that chain's staff and customers; in the public schema it
holds platform staff. A user therefore belongs to exactly one tenant (or to the
platform), and an email address may be registered with two chains independently.
"""

from __future__ import annotations

import time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from tenants.singletons import Singleton
from venue_apps.accounts.capabilities import TENANT_ROLES as TENANT_ROLES
from venue_apps.accounts.capabilities import (
    Capability,
    Role,
    app_capabilities,
    has_any_capability,
    has_capability,
    permission_capability,
    role_may,
)
from venue_apps.accounts.capabilities import roles_for_schema as roles_for_schema

# What a chain's staff member can be (not a customer, not platform staff).
CHAIN_STAFF_ROLE_CHOICES = [
    (Role.OWNER.value, Role.OWNER.label),
    (Role.MANAGER.value, Role.MANAGER.label),
    (Role.BOX_OFFICE.value, Role.BOX_OFFICE.label),
    (Role.SCANNER.value, Role.SCANNER.label),
]
# Everyone who works for a chain, and the platform's own staff.
STAFF_ROLES = frozenset(
    {Role.OWNER, Role.MANAGER, Role.BOX_OFFICE, Role.SCANNER, Role.PLATFORM_STAFF}
)


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
    # Set when the owner of the address proved it (a link we emailed, or Google or
    # Facebook vouching for it). Accounts are linked by verified email only.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # Django reads it from the class

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self._password_made_unusable = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # set_password() leaves the raw password on the instance until it is saved (and a
        # mere rehash at sign-in clears it first): so this is a new password. So is one
        # made unusable. Every way a password changes (the services, Django's admin and
        # password forms, `manage.py changepassword`) saves it here, and this is the one
        # place that announces it: the account's sessions end (accounts.receivers).
        adding = self._state.adding
        new_password = not adding and (
            getattr(self, "_password", None) is not None
            or getattr(self, "_password_made_unusable", False)
        )
        super().save(*args, **kwargs)
        self._password_made_unusable = False
        update_fields = kwargs.get("update_fields")
        if not adding and (
            update_fields is None or {"password", "role", "is_active"} & set(update_fields)
        ):
            # Every process re-checks this account's older tokens in the database.
            from venue_apps.accounts.revocations import account_changed_record, account_stamp

            account_changed_record(self.pk, account_stamp(self))
        if new_password:
            from venue_apps.accounts.signals import password_changed

            password_changed.send(sender=type(self), user=self)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        from venue_apps.accounts.revocations import account_changed_record

        user_id = self.pk
        deleted = super().delete(*args, **kwargs)
        account_changed_record(user_id, "")  # its tokens go to the database, which says no
        return deleted

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ci"),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_chain_staff(self) -> bool:
        """Works for the chain (any role but customer); may use two factors."""
        return role_may(self.role, Capability.USE_TWO_FACTOR)

    @property
    def is_staff(self) -> bool:
        """May sign in to the dashboard (Django admin) of this schema: follows the role."""
        return role_may(self.role, Capability.OPEN_DASHBOARD) or role_may(
            self.role, Capability.RUN_PLATFORM
        )

    def can(self, capability: Capability) -> bool:
        """May this account do this now (venue_apps.accounts.capabilities)?"""
        return has_capability(self, capability)

    @property
    def holds_every_permission(self) -> bool:
        # An owner holds every permission of their own chain's dashboard and nothing
        # outside it: the user table, and so the role, is per schema.
        return self.can(Capability.HOLD_EVERY_PERMISSION)

    def has_perm(self, perm: str, obj: models.Model | None = None) -> bool:
        """Django's admin permissions, from the capability table (`permission_capability`
        maps each `app_label.action_model` to the capability that grants it)."""
        capability = permission_capability(perm)
        return (
            self.holds_every_permission
            or (capability is not None and self.can(capability))
            or super().has_perm(perm, obj)
        )

    def has_module_perms(self, app_label: str) -> bool:
        return (
            self.holds_every_permission
            or has_any_capability(self, app_capabilities(app_label))
            or super().has_module_perms(app_label)
        )


class OAuthClient(models.Model):
    """The chain's own OAuth client at Google or Facebook (customers sign in with it).
    The secret is sealed like every other secret; only a hint is shown."""

    class Provider(models.TextChoices):
        GOOGLE = "google", "Google"
        FACEBOOK = "facebook", "Facebook"

    provider = models.CharField(max_length=10, choices=Provider.choices, unique=True)
    client_id = models.CharField(max_length=255)
    client_secret_sealed = models.TextField()
    client_secret_hint = models.CharField(max_length=40, blank=True)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["provider"]
        verbose_name = "OAuth client"

    def __str__(self) -> str:
        return f"{self.get_provider_display()} sign-in ({self.client_id[:16]}…)"


def totp_key_context(user_id: int) -> str:
    """What an authenticator app's key is sealed under: the chain and the account."""
    from tenants.schemas import current_schema_name

    return f"{current_schema_name()}:accounts.totp.{user_id}"


class TOTPDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (RFC 6238 time-based codes) of a staff member.

    Like django-otp's own TOTP device, with one difference that matters here: the
    shared key is sealed at rest (tenants.crypto), like every other secret.
    """

    key_sealed = models.TextField()
    step = models.PositiveSmallIntegerField(default=30)
    digits = models.PositiveSmallIntegerField(default=6)
    # Accept the code of one step either side (a phone clock a little off), and
    # never the same code twice.
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = "authenticator app"

    def key_bytes(self) -> bytes:
        from tenants.crypto import unseal

        return bytes.fromhex(unseal(self.key_sealed, context=totp_key_context(self.user_id)))

    def get_throttle_factor(self) -> int:
        return 1

    def verify_token(self, token) -> bool:
        """Check an app's code against the device's row, locked: two requests sending
        one code at the same moment see each other's last step, so only one gets in."""
        return self._checked_locked(lambda device: device._verified(token))

    def verify_recovery_code(self, code: str) -> bool:
        """Use one of the user's recovery codes in place of the app's code: once only,
        with wrong ones counted towards the device's back-off like wrong app codes."""
        return self._checked_locked(lambda device: device._recovery_code_used(code))

    def _checked_locked(self, check) -> bool:
        """Run `check` on the device's row locked FOR UPDATE. Failures are counted (and
        commit) here, whatever the caller does next; this copy learns the new state."""
        from django.db import transaction

        with transaction.atomic():
            current = type(self).objects.select_for_update().filter(pk=self.pk).first()
            if current is None:
                return False
            accepted = check(current)
        for field in (
            "last_t",
            "drift",
            "throttling_failure_count",
            "throttling_failure_timestamp",
            "last_used_at",
        ):
            setattr(self, field, getattr(current, field))
        return accepted

    def _recovery_code_used(self, code: str) -> bool:
        from django.contrib.auth.hashers import check_password

        if not self.verify_is_allowed()[0]:
            return False
        normal = recovery_code_normalised(code)
        for row in RecoveryCode.objects.filter(user_id=self.user_id, used_at__isnull=True):
            if check_password(normal, row.code_hash):
                used = RecoveryCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
                    used_at=timezone.now()
                )
                if used:
                    self.throttle_reset(commit=False)
                    self.set_last_used_timestamp(commit=False)
                    self.save()
                return bool(used)
        self.throttle_increment()
        return False

    def _verified(self, token) -> bool:
        from django_otp.oath import TOTP

        verify_allowed, _ = self.verify_is_allowed()
        if not verify_allowed:
            return False
        try:
            token = int(str(token).strip())
        except ValueError:
            self.throttle_increment()
            return False
        totp = TOTP(self.key_bytes(), self.step, 0, self.digits, self.drift)
        totp.time = time.time()
        if not totp.verify(token, self.tolerance, self.last_t + 1):
            self.throttle_increment()
            return False
        # The step just used can never be used again (no replay of a seen code).
        self.last_t = totp.t()
        self.drift = totp.drift
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class StaffTwoFactor(models.TextChoices):
    """Which of the chain's staff must sign in with an authenticator app."""

    OPTIONAL = "optional", "Each staff member chooses"
    OWNERS_MANAGERS = "owners_managers", "Required for owners and managers"
    ALL_STAFF = "all_staff", "Required for all staff"


class AccountSettings(Singleton):
    """The chain's sign-in rules for its staff (the owner's, in the dashboard)."""

    staff_two_factor = models.CharField(
        "two-factor sign-in",
        max_length=16,
        choices=StaffTwoFactor.choices,
        default=StaffTwoFactor.OPTIONAL,
        help_text=(
            "Staff it is required for are sent to set up an authenticator app at their "
            "next sign-in, and can do nothing else until they have. Door scanners often "
            "share a device: requiring it for all staff means one app per scanner account."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "sign-in security"
        verbose_name_plural = "sign-in security"

    def __str__(self) -> str:
        return "Sign-in security"

    def requires_two_factor(self, role: str) -> bool:
        if self.staff_two_factor == StaffTwoFactor.ALL_STAFF:
            return role in STAFF_ROLES and role != Role.PLATFORM_STAFF
        if self.staff_two_factor == StaffTwoFactor.OWNERS_MANAGERS:
            return role in (Role.OWNER, Role.MANAGER)
        return False


def recovery_code_normalised(code: str) -> str:
    """What is compared: lower case, without the dash and spaces people type."""
    return "".join(str(code or "").lower().split()).replace("-", "")


def looks_like_recovery_code(code: str) -> bool:
    """Recovery codes are ten letters and digits; the app's codes are digits only."""
    normal = recovery_code_normalised(code)
    return len(normal) == RECOVERY_CODE_LENGTH and not normal.isdigit()


RECOVERY_CODE_LENGTH = 10


class RecoveryCode(models.Model):
    """A one-use code that stands in for the authenticator app when the phone is lost.

    Ten are issued when the app is turned on, shown once, and kept only as password
    hashes (Argon2): a copy of the database does not reveal them.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=256)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "used_at"])]

    def __str__(self) -> str:
        return f"recovery code {self.pk} of user {self.user_id}"


class RateCounter(models.Model):
    """How often something happened in the current window of a limit, kept in the
    database: the counts that must hold with Redis down (failed sign-ins and reset
    emails per account, and every rate limit while Redis cannot be reached).
    `venue_apps.accounts.ratelimits` reads and writes them."""

    key = models.CharField(max_length=400, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} since {self.window_start:%H:%M:%S}"


class SignInAddress(models.Model):
    """Where an account signed in lately (the address, or an IPv6 client's /64): the
    account-wide limits on failed sign-ins and reset emails never apply there, so a
    stranger who fills them cannot keep the owner out where they usually sign in."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_addresses")
    address = models.GenericIPAddressField()
    last_signed_in_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "address"], name="sign_in_address_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} from {self.address}"


class TokenDenial(models.Model):
    """A signed-out session: access tokens naming this `jti` (their own, or the session
    id `sid` they carry) are refused until `expires_at`, when they would have expired
    anyway. Kept in the database beside the users, so that it holds with Redis down."""

    jti = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="token_denials")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.jti} of user {self.user_id} until {self.expires_at:%H:%M:%S}"
