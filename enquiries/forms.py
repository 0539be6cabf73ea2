"""The visitor's form: the fields editors built, plus two fields people never see (see enquiries.spam)."""

import django.forms
from wagtail.contrib.forms.forms import FormBuilder

from enquiries import spam


class EnquiryFormBuilder(FormBuilder):
    """Wagtail's builder with inputs that suit phones: a date picker, e-mail and URL keyboards."""

    def create_date_field(self, field, options):
        options.setdefault("widget", django.forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
        return super().create_date_field(field, options)

    def create_dropdown_field(self, field, options):
        # Without an empty first choice a required list would quietly send its first entry.
        form_field = super().create_dropdown_field(field, options)
        if not field.default_value:
            form_field.choices = [("", "Choose one"), *form_field.choices]
        return form_field

    def create_email_field(self, field, options):
        options.setdefault("widget", django.forms.EmailInput(attrs={"autocomplete": "email"}))
        return super().create_email_field(field, options)


def enquiry_form_class(form_fields):
    """The form class for a page's fields, with the honeypot and the signed start time added."""
    base = EnquiryFormBuilder(form_fields).get_form_class()
    extra = {
        spam.HONEYPOT: django.forms.CharField(
            label="Leave this empty",
            required=False,
            widget=django.forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        ),
        spam.STARTED: django.forms.CharField(required=False, widget=django.forms.HiddenInput),
    }
    return type("EnquiryForm", (base,), {**extra, "editor_fields": list(base.base_fields)})
