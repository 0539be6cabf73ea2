"""Offer models, one module per concept; each class is imported here explicitly.

Order models (checkout) go in their own module of this package, imported below.
"""

from .banners import BannerExclusion, BannerSection, OfferBanner
from .calendar import PublicHoliday, WorkingCalendar
from .catalogue import DemoPackage, RefundPolicy
from .funnel import BannerClickDay
from .orders import Order, OrderEvent, SentEmail, SlotHold, StripeEvent
from .pages import OfferPage, OffersIndexPage
from .refunds import Refund
from .tasks import StaffTask

__all__ = [
    "BannerClickDay",
    "BannerExclusion",
    "BannerSection",
    "DemoPackage",
    "OfferBanner",
    "Order",
    "OrderEvent",
    "OfferPage",
    "OffersIndexPage",
    "PublicHoliday",
    "Refund",
    "RefundPolicy",
    "SentEmail",
    "SlotHold",
    "StaffTask",
    "StripeEvent",
    "WorkingCalendar",
]
