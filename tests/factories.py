"""factory_boy factories for the main rows of a chain, made through the services (so a
row is what the app itself would have made) in the chain's schema.

Every factory takes `schema` (default "alpha", a session chain of tests/fixtures.py) and
enters it to create; its sub-factories are made in the same schema:

    show = ShowFactory(schema=alpha.schema_name)             # venue, seat map, card, title
    user = UserFactory(schema="beta", role=Role.MANAGER)
    order = PaidOrderFactory(show=show, labels=["A1", "A2"])  # order, lines, payment, tickets
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import factory
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tests.fixtures import PASSWORD
from tests.programme import SMALL_LAYOUT, next_weekday
from venue_apps.accounts.models import Role, User
from venue_apps.catalog.models import Title
from venue_apps.orders.models import Order
from venue_apps.shows.models import PriceCard, Show
from venue_apps.tills.models import Till
from venue_apps.venues.models import Auditorium, Venue

SAME_SCHEMA = factory.SelfAttribute("..schema")


class InSchemaFactory(factory.Factory):
    """Creates in `schema` through `make(**values)`, a service call."""

    schema = "alpha"

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class: type, *args: Any, schema: str, **values: Any) -> Any:
        with schema_context(schema):
            return cls.make(**values)

    @classmethod
    def _build(cls, model_class: type, *args: Any, schema: str, **values: Any) -> Any:
        return model_class(**values)

    @classmethod
    def make(cls, **values: Any) -> Any:
        raise NotImplementedError


class UserFactory(InSchemaFactory):
    """An account of the chain with `role` (a customer unless told), password PASSWORD."""

    class Meta:
        model = User

    role = Role.CUSTOMER
    email = factory.Sequence(lambda n: f"person{n}@factory.test")
    name = factory.LazyAttribute(lambda user: f"Test {user.role}")
    password = PASSWORD

    @classmethod
    def make(cls, **values: Any) -> User:
        from venue_apps.accounts.services.users import user_create

        return user_create(**values)


class VenueFactory(InSchemaFactory):
    class Meta:
        model = Venue

    name = factory.Sequence(lambda n: f"Aurora Phoenix {n}")  # names are unique per chain
    address_line1 = "462 Senapati Bapat Marg"
    city = "Mumbai"
    country = "IN"
    timezone = "Asia/Kolkata"

    @classmethod
    def make(cls, **values: Any) -> Venue:
        from venue_apps.venues.services import venue_create

        return venue_create(**values)


class AuditoriumFactory(InSchemaFactory):
    """An auditorium with its seat map, from a layout (tests.programme.SMALL_LAYOUT)."""

    class Meta:
        model = Auditorium

    venue = factory.SubFactory(VenueFactory, schema=SAME_SCHEMA)
    name = "Audi 1"
    layout = SMALL_LAYOUT
    cleaning_minutes = 20

    @classmethod
    def make(cls, **values: Any) -> Auditorium:
        from venue_apps.venues.services import auditorium_create

        return auditorium_create(**values)


class TitleFactory(InSchemaFactory):
    class Meta:
        model = Title

    name = "The Monsoon Heist"
    kind = "film"
    runtime_minutes = 140
    certificate = "U/A 13+"
    genres = factory.LazyFunction(lambda: ["Thriller", "Action"])
    languages = factory.LazyFunction(lambda: ["hi", "en"])
    formats = factory.LazyFunction(lambda: ["2d", "imax"])

    @classmethod
    def make(cls, **values: Any) -> Title:
        from venue_apps.catalog.services import title_create

        return title_create(**values)


def standard_rules() -> list:
    from venue_apps.shows.services import RuleSpec

    return [
        RuleSpec("regular", 20000),
        RuleSpec("premium", 30000),
        RuleSpec("recliner", 60000),
        RuleSpec("couple", 80000),
        RuleSpec("wheelchair", 20000),
        RuleSpec("regular", 25000, weekdays=(6, 7)),
    ]


class PriceCardFactory(InSchemaFactory):
    """The "Standard" card: regular 200.00 (250.00 at weekends), premium 300.00..."""

    class Meta:
        model = PriceCard

    name = "Standard"
    rules = factory.LazyFunction(standard_rules)

    @classmethod
    def make(cls, **values: Any) -> PriceCard:
        from venue_apps.shows.services import price_card_create

        return price_card_create(**values)


class ShowFactory(InSchemaFactory):
    """A show next Monday at 18:00 in Kolkata, on sale (`on_sale=False`: scheduled only)."""

    class Meta:
        model = Show

    title = factory.SubFactory(TitleFactory, schema=SAME_SCHEMA)
    auditorium = factory.SubFactory(AuditoriumFactory, schema=SAME_SCHEMA)
    price_card = factory.SubFactory(PriceCardFactory, schema=SAME_SCHEMA)
    starts_at = factory.LazyFunction(lambda: next_weekday(1, time(18, 0), "Asia/Kolkata"))
    on_sale = True

    @classmethod
    def make(cls, *, on_sale: bool, **values: Any) -> Show:
        from venue_apps.inventory.services import show_put_on_sale
        from venue_apps.shows.services import show_create

        show = show_create(**values)
        if on_sale:
            show_put_on_sale(show)
        return show


class TillFactory(InSchemaFactory):
    """A till at a venue (made as an owner makes one in the dashboard)."""

    class Meta:
        model = Till

    venue = factory.SubFactory(VenueFactory, schema=SAME_SCHEMA)
    name = factory.Sequence(lambda n: f"Till {n}")

    @classmethod
    def make(cls, **values: Any) -> Till:
        from venue_apps.tills.services import till_create

        return till_create(values.pop("venue"), actor=None, **values)


class PaidOrderFactory(InSchemaFactory):
    """An order of a customer for seats `labels` of `show`, paid through the sandbox:
    its lines, its succeeded payment (`order.payments`) and one ticket per seat."""

    class Meta:
        model = Order

    show = factory.SubFactory(ShowFactory, schema=SAME_SCHEMA)
    customer = factory.SubFactory(UserFactory, schema=SAME_SCHEMA)
    labels = factory.LazyFunction(lambda: ["A1"])

    @classmethod
    def _create(cls, model_class: type, *args: Any, schema: str, **values: Any) -> Order:
        with schema_context(schema):
            return cls.make(currency=Tenant.objects.get(schema_name=schema).currency, **values)

    @classmethod
    def make(cls, *, show: Show, customer: User, labels: list[str], currency: str) -> Order:
        from venue_apps.inventory import holds
        from venue_apps.inventory.models import ShowSeat
        from venue_apps.orders.services import Buyer
        from venue_apps.payments.services.sandbox import sandbox_pay
        from venue_apps.sales.checkout import checkout_start

        by_label = dict(ShowSeat.objects.filter(show=show).values_list("label", "id"))
        hold = holds.hold_create(
            show.pk,
            owner=holds.HoldOwner(user_id=customer.pk),
            policy=holds.HoldPolicy(ttl=timedelta(minutes=10), max_seats=10, max_active_holds=10),
            seat_ids=[by_label[label] for label in labels],
        )
        started = checkout_start(
            hold,
            buyer=Buyer(customer=customer, email=customer.email, name=customer.name),
            provider_name="sandbox",
            currency=currency,
        )
        assert started.payment is not None
        sandbox_pay(started.payment, outcome="approve")
        return Order.objects.get(pk=started.order.pk)
