from django.db import migrations


def backfill(apps, schema_editor):
    """The first response in business time of existing tickets (it was written by
    tickets' migration 0008 before the SLA kept it; this one is idempotent)."""
    from caredesk.sla.facts import sla_business_facts_backfill

    sla_business_facts_backfill()


class Migration(migrations.Migration):
    dependencies = [
        ("sla", "0003_ticketsla_updated_at"),
        ("tickets", "0008_reporting_facts"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
