"""The factories of tests/factories.py make rows as the app would, in the schema asked."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.factories import PaidOrderFactory, ShowFactory, UserFactory
from venue_apps.accounts.models import Role, User
from venue_apps.inventory.models import ShowSeat
from venue_apps.shows.models import Show

pytestmark = pytest.mark.django_db


def test_a_show_comes_with_its_venue_seat_map_card_and_title_on_sale(alpha):
    show = ShowFactory(schema=alpha.schema_name)

    with schema_context(alpha.schema_name):
        assert Show.objects.get(pk=show.pk).status == Show.Status.ON_SALE
        assert ShowSeat.objects.filter(show=show).count() == 30
        assert show.auditorium.venue.name.startswith("Aurora Phoenix")
        assert show.price_card.name == "Standard"


def test_a_user_is_made_in_the_schema_asked_only(alpha, beta):
    manager = UserFactory(schema=beta.schema_name, role=Role.MANAGER)

    with schema_context(beta.schema_name):
        assert User.objects.get(pk=manager.pk).role == Role.MANAGER
    with schema_context(alpha.schema_name):
        assert not User.objects.filter(email=manager.email).exists()


def test_a_paid_order_has_its_lines_payment_and_tickets(alpha):
    order = PaidOrderFactory(schema=alpha.schema_name, labels=["A1", "A2"])

    with schema_context(alpha.schema_name):
        assert order.status == "paid"
        assert order.lines.count() == 2
        assert [payment.status for payment in order.payments.all()] == ["succeeded"]
        assert order.tickets.count() == 2
