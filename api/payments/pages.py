"""The sandbox's hosted payment page: what a customer sees in test mode instead of
Stripe's or Razorpay's checkout. Opened by the signed link in the payment's
`sandbox_url` (like a gateway's checkout session), it offers approve, decline (the
card is refused; the customer may try again while the hold lasts), cancel (the
customer gives up; the seats are released) and "pay late", and each goes through the
sandbox's signed webhook like a real gateway. After any outcome it leads back to the
booking's page on the storefront, a fixed path on this host (never a target the
request names, so the page cannot be used to send people elsewhere).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from tenants.error_codes import DomainError
from tenants.money import money
from tenants.schemas import current_schema_name
from venue_apps.payments.models import Payment, Provider
from venue_apps.payments.providers.sandbox import page_token_valid
from venue_apps.payments.services.gateways import provider_for
from venue_apps.payments.services.sandbox import OUTCOMES, sandbox_pay


@require_http_methods(["GET", "POST"])
def sandbox_page(request: HttpRequest, payment_id: str) -> HttpResponse:
    token = request.GET.get("t") or request.POST.get("t") or ""
    if not page_token_valid(token, payment_id=payment_id, schema=current_schema_name()):
        raise Http404("No such payment page.")
    try:
        provider_for(Provider.SANDBOX)
    except DomainError as error:
        raise Http404("No sandbox in live mode.") from error
    payment = (
        Payment.objects.select_related("order__show__title", "order__show__venue")
        .filter(pk=payment_id, provider=Provider.SANDBOX)
        .first()
    )
    if payment is None:
        raise Http404("No such payment.")
    result = None
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome not in OUTCOMES:
            return HttpResponse("Choose approve, decline, cancel or late.", status=400)
        result = sandbox_pay(payment, outcome=outcome)
        payment.refresh_from_db()
        payment.order.refresh_from_db()
    order = payment.order
    show = order.show
    return render(
        request,
        "payments/sandbox_page.html",
        {
            "tenant": request.tenant,
            "payment": payment,
            "order": order,
            "lines": list(order.lines.all()),
            "amount": money(payment.amount, payment.currency),
            "starts_at": show.starts_at,
            "venue_zone": show.venue.timezone,
            "token": token,
            "result": result,
            "back_url": f"/orders/{order.pk}",
            "hold_expires_at": order.expires_at,
        },
    )
