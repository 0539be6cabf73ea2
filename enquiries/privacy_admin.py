"""Staff view for a visitor's enquiries: find them by e-mail address, download them as JSON, or erase them.

For people who never ordered; a customer's order export and erasure include
their enquiries already (through the hooks in enquiries.wagtail_hooks).
"""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from enquiries import privacy

EXPORT = "enquiries.export_enquiry_personal_data"
ERASE = "enquiries.erase_enquiry_personal_data"


class VisitorForm(forms.Form):
    email = forms.EmailField(label="The visitor's e-mail address")


def may_use(user) -> bool:
    return user.has_perm(EXPORT) or user.has_perm(ERASE)


def personal_data(request):
    """GET ?email=: the visitor's enquiries listed. ?download=1: as JSON. POST confirm=yes: erased."""
    if not may_use(request.user):
        raise PermissionDenied
    form = VisitorForm(request.POST if request.method == "POST" else request.GET or None)
    if not form.is_valid():
        return TemplateResponse(request, "enquiries/admin/personal_data.html", {"form": form}, status=200)
    email = form.cleaned_data["email"]
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        if not request.user.has_perm(ERASE):
            raise PermissionDenied
        count = privacy.erase(email)
        messages.success(request, f"{count} enquiries from {email} erased.")
        return redirect(reverse("enquiries_personal_data"))
    records = privacy.export(email)
    if request.GET.get("download"):
        if not request.user.has_perm(EXPORT):
            raise PermissionDenied
        response = HttpResponse(
            json.dumps({"email": email, "enquiries": records}, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="enquiries-personal-data.json"'
        response["Cache-Control"] = "no-store"
        return response
    context = {
        "form": form,
        "email": email,
        "records": records,
        "may_export": request.user.has_perm(EXPORT),
        "may_erase": request.user.has_perm(ERASE),
    }
    return TemplateResponse(request, "enquiries/admin/personal_data.html", context)
