"""Public views of the offers catalogue that are not pages."""

from django.shortcuts import get_object_or_404, render

from offers.models.catalogue import RefundPolicy


def refund_policy(request, slug):
    """The published version of a refund policy, linked from offer pages, the buy form and e-mails."""
    policy = get_object_or_404(RefundPolicy, slug=slug, live=True)
    return render(request, "offers/refund_policy.html", {"policy": policy})
