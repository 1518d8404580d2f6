"""Time to render an order's PDF e-tickets and to send the tickets email.

Runs in-process against the demo data (after `make demo`): one paid order is made in
`aurora` through the sandbox, then its PDF is rendered `--runs` times and the email
task body is run `--runs` times with Django's in-memory email backend (what is timed
is rendering and building the message; an SMTP server's own latency comes on top).

    .venv/bin/python -m tests.benchmarks.bench_tickets --seats 4 --runs 50
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seats", type=int, default=4)
    parser.add_argument("--runs", type=int, default=50)
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ticketing_platform.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django_tenants.utils import schema_context

    from venue_apps.accounts.models import User
    from venue_apps.inventory.holds import HoldOwner, HoldPolicy, hold_create
    from venue_apps.inventory.models import ShowSeat
    from venue_apps.orders.services import Buyer
    from venue_apps.payments.services.sandbox import sandbox_pay
    from venue_apps.sales.checkout import checkout_start
    from venue_apps.shows.models import Show
    from venue_apps.tickets.notifications import tickets_email
    from venue_apps.tickets.selectors import order_tickets, order_tickets_pdf

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    with schema_context("aurora"):
        import secrets

        # A customer of its own each run, so the fraud limits of the demo logins stay clear.
        customer = User.objects.create_user(
            f"bench-{secrets.token_hex(4)}@aurora.test",
            secrets.token_urlsafe(16),
            name="Bench Customer",
        )
        show = Show.objects.filter(status="on_sale").order_by("starts_at").last()
        if show is None:
            raise SystemExit("No demo data: run `make demo` first.")
        seats = list(
            ShowSeat.objects.filter(show=show, state="available")
            .order_by("y", "x")
            .values_list("pk", flat=True)[: arguments.seats]
        )
        from datetime import timedelta

        hold = hold_create(
            show.pk,
            owner=HoldOwner(user_id=customer.pk),
            policy=HoldPolicy(ttl=timedelta(minutes=10), max_seats=50, max_active_holds=50),
            seat_ids=seats,
        )
        checkout = checkout_start(
            hold,
            buyer=Buyer(customer=customer, email=customer.email, name=customer.name),
            provider_name="sandbox",
            currency="INR",
        )
        sandbox_pay(checkout.payment, outcome="approve")
        order = checkout.order
        tickets = list(order_tickets(order))

        renders = []
        size = 0
        for _ in range(arguments.runs):
            started = time.perf_counter()
            body = order_tickets_pdf(order, tickets)
            renders.append((time.perf_counter() - started) * 1000)
            size = len(body)
        # The same pages with the title, venue and holder in Indian scripts: the fonts
        # fall back to Noto and HarfBuzz shapes the text (tickets.fonts).
        from dataclasses import replace

        from venue_apps.tickets.pdf import tickets_pdf
        from venue_apps.tickets.selectors import ticket_pages

        pages = ticket_pages(order, tickets)
        indian = [
            replace(
                page,
                title="दिलवाले दुल्हनिया ले जाएंगे",
                venue="சென்னை மல்டிப்ளெக்ஸ்",
                holder="ராஜேஷ் குமார்",
            )
            for page in pages
        ]
        latin_renders, indian_renders = [], []
        for _ in range(arguments.runs):
            for chosen, times in ((pages, latin_renders), (indian, indian_renders)):
                started = time.perf_counter()
                tickets_pdf(chosen, title="bench")
                times.append((time.perf_counter() - started) * 1000)
        sends = []
        for _ in range(arguments.runs):
            started = time.perf_counter()
            assert tickets_email(str(order.pk)) == "sent"
            sends.append((time.perf_counter() - started) * 1000)

    def line(name: str, values: list[float]) -> str:
        ordered = sorted(values)
        return (
            f"{name:<32} median {statistics.median(ordered):7.1f} ms   "
            f"p95 {ordered[int(len(ordered) * 0.95) - 1]:7.1f} ms   max {ordered[-1]:7.1f} ms"
        )

    print(
        f"order {order.reference}: {len(tickets)} tickets, PDF {size / 1024:.1f} KiB, "
        f"{arguments.runs} runs each"
    )
    print(line("render the PDF", renders))
    print(line("render and send the email", sends))
    print(f"per ticket: {statistics.median(renders) / len(tickets):.1f} ms to render")
    print(line("pages only, Latin", latin_renders))
    print(line("pages only, Hindi and Tamil", indian_renders))
    print(
        "Hindi and Tamil / Latin: "
        f"{statistics.median(indian_renders) / statistics.median(latin_renders):.2f}x"
    )


if __name__ == "__main__":
    main()
