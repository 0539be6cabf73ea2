"""Registers only: the sales panel's enquiry count, the privacy export and erasure, the privacy request view."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from enquiries import privacy, privacy_admin, reports


@hooks.register("sales_panel_monthly_counts")
def enquiries_per_month(spans):
    return reports.monthly_counts(spans)


@hooks.register("export_personal_data")
def export_enquiries(email):
    return "enquiries", privacy.export(email)


@hooks.register("erase_personal_data")
def erase_enquiries(email):
    privacy.erase(email)


@hooks.register("register_admin_urls")
def register_personal_data_url():
    return [path("enquiries/personal-data/", privacy_admin.personal_data, name="enquiries_personal_data")]


class PrivacyMenuItem(MenuItem):
    def is_shown(self, request):
        return privacy_admin.may_use(request.user)


@hooks.register("register_settings_menu_item")
def register_personal_data_menu_item():
    return PrivacyMenuItem(
        "Enquiry privacy requests",
        reverse("enquiries_personal_data"),
        name="enquiry-privacy",
        icon_name="mail",
        order=900,
    )
