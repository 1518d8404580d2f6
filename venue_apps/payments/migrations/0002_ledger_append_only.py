"""The ledger is append-only and every journal balances, enforced by PostgreSQL.

- UPDATE and DELETE of a ledger entry raise an error (TRUNCATE, a schema-level act of
  the operator, is left alone).
- A deferred constraint trigger checks at commit that the entries of each journal
  written in the transaction sum to zero, per currency.

The functions live in each tenant's schema beside the table, so cloning the template
schema for a new tenant brings them along.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION payments_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % of entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER payments_ledgerentry_append_only
    BEFORE UPDATE OR DELETE ON payments_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_refuse_change();

CREATE FUNCTION payments_ledger_journal_balanced() RETURNS trigger AS $$
DECLARE
    unbalanced bigint;
BEGIN
    -- Deferred to commit, when the connection's search_path may point elsewhere: name
    -- the schema of the row's own table.
    EXECUTE format(
        'SELECT SUM(amount) FROM %I.payments_ledgerentry WHERE journal = $1 AND currency = $2',
        TG_TABLE_SCHEMA
    ) INTO unbalanced USING NEW.journal, NEW.currency;
    IF unbalanced <> 0 THEN
        RAISE EXCEPTION 'ledger journal % does not balance (% %)',
            NEW.journal, unbalanced, NEW.currency
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER payments_ledgerentry_balanced
    AFTER INSERT ON payments_ledgerentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payments_ledger_journal_balanced();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS payments_ledgerentry_balanced ON payments_ledgerentry;
DROP TRIGGER IF EXISTS payments_ledgerentry_append_only ON payments_ledgerentry;
DROP FUNCTION IF EXISTS payments_ledger_journal_balanced();
DROP FUNCTION IF EXISTS payments_ledger_refuse_change();
"""


class Migration(migrations.Migration):
    dependencies = [("payments", "0001_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
