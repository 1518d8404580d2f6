"""Invoices are frozen by PostgreSQL, and every chain is on a plan.

- An issued invoice's number, chain, month, currency, total and what it was built from
  (plan, usage, issue time) cannot be changed, and neither invoices nor their lines can
  be deleted or their lines changed: only the status and the dunning fields move.
  (TRUNCATE, an operator's act on the whole table, is left alone.)
- The "standard" plan, matching the fees chains had by default (no monthly fee, no fee
  per ticket, 1% of net sales), priced in the usual currencies and in every currency
  a chain uses; each existing chain subscribed from the day it was created (in its
  zone). A chain whose fees staff had changed gets a private plan with its own fees,
  so the first close bills what it was told.
"""

import zoneinfo

from django.db import migrations

FROZEN = """
CREATE FUNCTION billing_invoice_frozen() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'invoice % is frozen: DELETE refused', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.number IS DISTINCT FROM OLD.number
        OR NEW.tenant_id IS DISTINCT FROM OLD.tenant_id
        OR NEW.month IS DISTINCT FROM OLD.month
        OR NEW.currency IS DISTINCT FROM OLD.currency
        OR NEW.total IS DISTINCT FROM OLD.total
        OR NEW.plan_code IS DISTINCT FROM OLD.plan_code
        OR NEW.plan_name IS DISTINCT FROM OLD.plan_name
        OR NEW.usage IS DISTINCT FROM OLD.usage
        OR NEW.issued_at IS DISTINCT FROM OLD.issued_at THEN
        RAISE EXCEPTION 'invoice % is frozen: its number, month, currency, lines and total cannot change', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoice_frozen
    BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_invoice_frozen();

CREATE FUNCTION billing_invoiceline_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'invoice lines are frozen: % of line % refused', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER billing_invoiceline_frozen
    BEFORE UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_invoiceline_frozen();
"""

UNFROZEN = """
DROP TRIGGER IF EXISTS billing_invoiceline_frozen ON billing_invoiceline;
DROP TRIGGER IF EXISTS billing_invoice_frozen ON billing_invoice;
DROP FUNCTION IF EXISTS billing_invoiceline_frozen();
DROP FUNCTION IF EXISTS billing_invoice_frozen();
"""

USUAL_CURRENCIES = ("EUR", "GBP", "INR", "USD")
DEFAULT_PER_TICKET, DEFAULT_BASIS_POINTS = 0, 100


def chains_subscribe(apps, schema_editor):
    Tenant = apps.get_model("tenants", "Tenant")
    Plan = apps.get_model("billing", "Plan")
    PlanPrice = apps.get_model("billing", "PlanPrice")
    Subscription = apps.get_model("billing", "Subscription")
    chains = list(Tenant.objects.exclude(schema_name="public").order_by("pk"))
    standard, _ = Plan.objects.get_or_create(
        code="standard",
        defaults={
            "name": "Standard",
            "description": "No monthly fee; 1% of net ticket sales.",
            "basis_points": DEFAULT_BASIS_POINTS,
            "trial_days": 0,
        },
    )
    for currency in sorted({*USUAL_CURRENCIES, *(chain.currency for chain in chains)}):
        PlanPrice.objects.get_or_create(
            plan=standard,
            currency=currency,
            defaults={"monthly_fee": 0, "per_ticket": DEFAULT_PER_TICKET},
        )
    for chain in chains:
        if Subscription.objects.filter(tenant=chain).exists():
            continue
        plan = standard
        if (chain.platform_fee_per_ticket, chain.platform_fee_basis_points) != (
            DEFAULT_PER_TICKET,
            DEFAULT_BASIS_POINTS,
        ):
            plan, _ = Plan.objects.get_or_create(
                code=f"own-{chain.slug}"[:40],
                defaults={
                    "name": f"{chain.name} (own fees)"[:80],
                    "basis_points": chain.platform_fee_basis_points,
                    "public": False,
                },
            )
            PlanPrice.objects.get_or_create(
                plan=plan,
                currency=chain.currency,
                defaults={"monthly_fee": 0, "per_ticket": chain.platform_fee_per_ticket},
            )
        Subscription.objects.create(
            tenant=chain,
            plan=plan,
            starts_on=chain.created_at.astimezone(zoneinfo.ZoneInfo(chain.timezone)).date(),
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [
        migrations.RunSQL(FROZEN, UNFROZEN),
        migrations.RunPython(chains_subscribe, migrations.RunPython.noop),
    ]
