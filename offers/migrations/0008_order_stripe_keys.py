"""Order.payment_token: a random UUID per order for Stripe idempotency keys and event matching;
Order.refund_key_sent: the key of the last refund request, so a retry knows whether it was sent;
Order.dispute_charge_refundable: Stripe's is_charge_refundable of the order's dispute.

Added nullable, filled with a distinct value per existing order, then made unique and required
(a callable default in AddField would give every existing row the same value).
"""

import uuid

from django.db import migrations, models


def fill_tokens(apps, schema_editor):
    Order = apps.get_model("offers", "Order")
    for order in Order.objects.filter(payment_token__isnull=True).only("pk"):
        Order.objects.filter(pk=order.pk).update(payment_token=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("offers", "0007_order_visitor_key")]

    operations = [
        migrations.AddField(
            model_name="order",
            name="payment_token",
            field=models.UUIDField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="order",
            name="refund_key_sent",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=80,
                help_text="The idempotency key of the last refund request sent.",
            ),
        ),
        migrations.AddField(
            model_name="order",
            name="dispute_charge_refundable",
            field=models.BooleanField(
                default=False,
                help_text="Stripe's is_charge_refundable: the disputed payment may still be refunded normally.",
            ),
        ),
        migrations.RunPython(fill_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="order",
            name="payment_token",
            field=models.UUIDField(
                default=uuid.uuid4,
                unique=True,
                editable=False,
                help_text="Random, made with the order: starts every idempotency key about it and is the "
                "order_token in its Checkout Session's metadata. Never the reference, which repeats after a "
                "restore or on staging.",
            ),
        ),
    ]
