"""The admin's list of a form page's enquiries (Wagtail's Forms menu): e-mail status, a filter, a safe CSV."""

import django_filters
from wagtail.contrib.forms.views import SubmissionsListFilterSet, SubmissionsListView

from enquiries.models import EnquiryEmail

# A cell starting with one of these is read as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A text cell that a spreadsheet shows as text: formula-like text gets a leading apostrophe (OWASP)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class EnquiryFilterSet(SubmissionsListFilterSet):
    email_status = django_filters.ChoiceFilter(
        label="E-mails",
        choices=EnquiryEmail.Status.choices,
        field_name="emails__status",
        distinct=True,
    )


class EnquirySubmissionsListView(SubmissionsListView):
    filterset_class = EnquiryFilterSet

    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("emails")

    def preprocess_field_value(self, field, value, export_format):
        value = super().preprocess_field_value(field, value, export_format)
        return spreadsheet_safe(value) if export_format == self.FORMAT_CSV else value
