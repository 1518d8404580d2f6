"""Payment gateways behind one interface (`base.PaymentProvider`)."""

from venue_apps.payments.providers.base import PaymentProvider
from venue_apps.payments.providers.counter import CardTerminalProvider, CashProvider
from venue_apps.payments.providers.razorpay import RazorpayProvider
from venue_apps.payments.providers.sandbox import SandboxProvider
from venue_apps.payments.providers.stripe import StripeProvider

PROVIDER_CLASSES: dict[str, type[PaymentProvider]] = {
    "stripe": StripeProvider,
    "razorpay": RazorpayProvider,
    "sandbox": SandboxProvider,
    "cash": CashProvider,
    "card": CardTerminalProvider,
}
