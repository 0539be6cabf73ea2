"""The buy form: who buys, the brief, and the agreements the law and our terms need before booking."""

from django import forms


class BuyForm(forms.Form):
    # Each message names its field: the error summary above the form lists them alone.
    name = forms.CharField(label="Your name", max_length=120, error_messages={"required": "Please tell us your name."})
    email = forms.EmailField(
        label="E-mail",
        help_text="Your confirmation and the demo link go here.",
        error_messages={
            "required": "Please give us your e-mail address: your confirmation goes there.",
            "invalid": "Enter a valid email address, like name@example.com.",
        },
    )
    company = forms.CharField(label="Company (optional)", max_length=160, required=False)
    brief_business = forms.CharField(
        label="What does your business do?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Please tell us in a line or two what your business does."},
    )
    brief_existing_site = forms.CharField(
        label="Your current website, if any", max_length=300, required=False, widget=forms.URLInput
    )
    brief_goals = forms.CharField(
        label="What should the demo show?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Please tell us what the demo should show."},
    )
    brief_style = forms.CharField(
        label="Style wishes (optional)", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000, required=False
    )
    accept_terms = forms.BooleanField(
        label="I accept the terms of sale and the refund policy.",
        error_messages={"required": "Please accept the terms of sale and the refund policy to book."},
    )
    express_start = forms.BooleanField(
        label=(
            "I expressly request that you start work within the 14-day withdrawal period. I know that my right "
            "of withdrawal ends once the demo has been fully delivered."
        ),
        error_messages={
            "required": "The demo is made within days of booking, so we can only book it when you ask us to start early."
        },
    )
    # Honeypot: hidden from people by CSS and aria-hidden; bots fill it in.
    website = forms.CharField(required=False, label="Leave this empty", max_length=200)
    via = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def is_bot(self):
        return bool(self.data.get("website"))
