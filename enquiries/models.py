"""Form pages editors build (contact, quote request), the enquiries they store and the e-mails sent about them.

The pages are Wagtail form-builder pages (`AbstractEmailForm`): editors add,
order and label the fields in the admin. Handling a submission (spam checks,
storing, queueing e-mails) lives in the modules above; the models only hold data
and call those through `EnquiryPageServices`, plugged in by `EnquiriesConfig.ready()`.
"""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.forms.models import AbstractEmailForm, AbstractFormField, AbstractFormSubmission
from wagtail.contrib.forms.panels import FormSubmissionsPanel
from wagtail.fields import RichTextField
from wagtail.search import index

INLINE_FEATURES = ["bold", "italic", "link"]

DEFAULT_AUTO_REPLY = (
    "Thank you for writing to us. Your message has arrived and a person reads it.\n\n"
    "What happens next: we answer on working days within one working day, usually sooner. "
    "If we need more details, we ask by e-mail.\n\n"
    "If you don't hear from us within two working days, please check your spam folder or call us."
)


@dataclass(frozen=True)
class EnquiryPageServices:
    """What a form page needs from the modules above the models (README, Layout: models import no services).

    serve: enquiries.views.serve_form_page; form_class: enquiries.forms.enquiry_form_class;
    store: enquiries.submissions.store; submissions_list_view: the admin listing's view class.
    """

    serve: Any = None
    form_class: Any = None
    store: Any = None
    submissions_list_view: Any = None


class EnquiryFormPage(AbstractEmailForm):
    """What both form pages share: intro, thank-you text, staff address, privacy line and the automatic reply."""

    services = EnquiryPageServices()

    intro = RichTextField(features=INLINE_FEATURES, blank=True)
    thank_you_text = RichTextField(
        features=INLINE_FEATURES,
        blank=True,
        help_text="Shown after sending. Say what happens next and when.",
    )
    submit_label = models.CharField("send button text", max_length=40, default="Send message")
    privacy_note = models.CharField(
        max_length=300,
        default="We use what you send only to answer you, and delete it after one year.",
        help_text="Shown above the send button, followed by a link to the privacy page.",
    )
    auto_reply_subject = models.CharField(
        "automatic reply subject", max_length=200, blank=True, default="We received your message"
    )
    auto_reply_text = models.TextField(
        "automatic reply",
        blank=True,
        default=DEFAULT_AUTO_REPLY,
        help_text=(
            "Sent to the visitor's e-mail address (the form's first e-mail field). Plain text. "
            "It never repeats what the visitor typed, so the form cannot be used to send spam to others. "
            "Leave empty to send no reply."
        ),
    )

    # Both page types share their templates; Wagtail's default would be one per type.
    landing_page_template = "enquiries/form_page_landing.html"

    content_panels = [
        *AbstractEmailForm.content_panels,
        FormSubmissionsPanel(),
        FieldPanel("intro"),
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("submit_label"),
        FieldPanel("privacy_note"),
        FieldPanel("thank_you_text"),
        MultiFieldPanel(
            [
                FieldPanel("to_address", heading="Staff address (where enquiries go)"),
                FieldRowPanel([FieldPanel("from_address"), FieldPanel("subject")]),
            ],
            heading="E-mail to staff",
        ),
        MultiFieldPanel(
            [FieldPanel("auto_reply_subject"), FieldPanel("auto_reply_text")], heading="Automatic reply to the visitor"
        ),
    ]
    search_fields = [*AbstractEmailForm.search_fields, index.SearchField("intro")]

    parent_page_types = ["home.HomePage", "home.ContentPage"]
    subpage_types = []

    class Meta:
        abstract = True

    @classmethod
    def connect_services(cls, **services):
        cls.services = EnquiryPageServices(**services)

    def get_submission_class(self):
        return Enquiry

    def get_submissions_list_view_class(self):
        return self.services.submissions_list_view

    def get_data_fields(self):
        return [*super().get_data_fields(), ("email_status", "E-mails")]

    def get_form_class(self):
        return self.services.form_class(self.get_form_fields())

    def process_form_submission(self, form):
        """Stores the enquiry and queues its e-mails; Wagtail's own version sends them while the visitor waits."""
        return self.services.store(self, form)

    def serve(self, request, *args, **kwargs):
        return self.services.serve(self, request, *args, **kwargs)


class ContactFormPage(EnquiryFormPage):
    """A contact form: name, e-mail and message by default, fields as editors choose."""

    template = "enquiries/form_page.html"

    class Meta:
        verbose_name = "contact form page"


class QuoteFormPage(EnquiryFormPage):
    """A quote request for a website: kind of site, pages, deadline, budget, current site, as editors choose."""

    template = "enquiries/form_page.html"

    class Meta:
        verbose_name = "quote request page"


class ContactFormField(AbstractFormField):
    page = ParentalKey(ContactFormPage, on_delete=models.CASCADE, related_name="form_fields")


class QuoteFormField(AbstractFormField):
    page = ParentalKey(QuoteFormPage, on_delete=models.CASCADE, related_name="form_fields")


class Enquiry(AbstractFormSubmission):
    """One message sent through a form page, stored before any e-mail about it is sent."""

    email = models.EmailField(
        blank=True, db_index=True, help_text="The visitor's address: for the reply and privacy requests."
    )

    class Meta:
        verbose_name = "enquiry"
        verbose_name_plural = "enquiries"
        ordering = ["-submit_time", "-pk"]
        permissions = [
            ("export_enquiry_personal_data", "Can export a visitor's enquiries"),
            ("erase_enquiry_personal_data", "Can erase a visitor's enquiries"),
        ]

    def __str__(self):
        return f"Enquiry {self.pk} ({self.submit_time:%Y-%m-%d})"

    @property
    def email_status(self) -> str:
        """How the e-mails about this enquiry went, as staff read it: "staff: sent; auto reply: failed (3 tries)"."""
        return "; ".join(str(email) for email in self.emails.all()) or "none"

    def get_data(self):
        return {**super().get_data(), "email_status": self.email_status}


class EnquiryEmail(models.Model):
    """One e-mail about an enquiry, written when the enquiry is stored and sent by the task worker.

    The message is kept as sent (subject, text, recipients), so a retry after a
    mail-server failure sends exactly what was written, and staff see what went out.
    """

    class Kind(models.TextChoices):
        STAFF = "staff", "to staff"
        AUTO_REPLY = "auto_reply", "automatic reply"

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        SENT = "sent", "sent"
        FAILED = "failed", "failed"

    enquiry = models.ForeignKey(Enquiry, on_delete=models.CASCADE, related_name="emails")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    recipients = models.CharField(max_length=500)
    reply_to = models.EmailField(blank=True)
    from_address = models.EmailField(blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        status = self.get_status_display()
        if self.status != self.Status.SENT and self.attempts:
            status += f" ({self.attempts} {'try' if self.attempts == 1 else 'tries'}: {self.last_error})"
        return f"{self.get_kind_display()}: {status}"
