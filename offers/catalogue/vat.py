"""The VAT line shown beside every price, from the agency's settings (home.AgencySettings)."""

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from wagtail.models import Site

DEFAULT_VAT_RATE = Decimal("19.00")
DEFAULT_EXEMPTION_NOTE = "No VAT is charged: small business under § 19 UStG."


@dataclass(frozen=True)
class VatInfo:
    exempt: bool
    rate: Decimal
    exemption_note: str

    @property
    def line(self) -> str:
        """ "incl. 19 % VAT", or the exemption note when the agency charges no VAT."""
        if self.exempt:
            return self.exemption_note or DEFAULT_EXEMPTION_NOTE
        rate = self.rate.normalize()
        return f"incl. {rate:f} % VAT"


def agency_vat(request=None, site=None) -> VatInfo:
    """The agency's VAT status; falls back to 19 % when the settings model or row is missing."""
    try:
        model = apps.get_model("home", "AgencySettings")
    except LookupError:
        return VatInfo(exempt=False, rate=DEFAULT_VAT_RATE, exemption_note="")
    if request is not None:
        agency = model.for_request(request)
    else:
        site = site or Site.objects.filter(is_default_site=True).first()
        if site is None:
            return VatInfo(exempt=False, rate=DEFAULT_VAT_RATE, exemption_note="")
        agency = model.for_site(site)
    rate = getattr(agency, "vat_rate", None)
    return VatInfo(
        exempt=bool(getattr(agency, "vat_exempt", False)),
        rate=Decimal(rate) if rate is not None else DEFAULT_VAT_RATE,
        exemption_note=getattr(agency, "vat_exemption_note", "") or "",
    )
