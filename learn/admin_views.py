"""The admin upload form that imports a Markdown or plain-text file as an article draft."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView
from taggit.forms import TagField
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets import AdminTagWidget
from wagtail.models import Page

from .article_import import AUTHOR_MAX_LENGTH, TitleTaken, import_article
from .importer import MAX_BYTES, ImportRefused
from .models import LearnIndexPage


def importable_parents(user):
    """The learn indexes this user may add articles under."""
    return [
        page for page in LearnIndexPage.objects.order_by("path") if page.permissions_for_user(user).can_add_subpage()
    ]


class ImportArticleForm(forms.Form):
    file = forms.FileField(
        label="Markdown or text file",
        help_text=(
            "The first line becomes the title, the paragraphs after it the introduction. "
            "A numbered list whose items start with a title (“1. Title:” with the text below it, "
            "or “1. **Title** text”) becomes the key points. UTF-8, at most 1 MB."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".md,.markdown,.txt,text/markdown,text/plain"}),
    )
    parent = forms.ModelChoiceField(queryset=Page.objects.none(), label="Add under", empty_label=None)
    author = forms.CharField(
        required=False, max_length=AUTHOR_MAX_LENGTH, help_text="Shown in the article's meta line. Optional."
    )
    topics = TagField(
        required=False,
        widget=AdminTagWidget,
        help_text="Separate topics with commas. Existing topics are reused. Optional.",
    )
    update = forms.BooleanField(
        required=False,
        label="Replace the article with the same title",
        help_text="Saves the file as a new draft version of that article instead of refusing the import.",
    )

    def __init__(self, *args, parents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = Page.objects.filter(pk__in=[page.pk for page in parents]).order_by("path")
        if len(parents) == 1:
            self.fields["parent"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size / 1024 / 1024:.1f} MB; files over 1 MB can't be imported."
            )
        return upload


class ImportArticleView(WagtailAdminTemplateMixin, FormView):
    form_class = ImportArticleForm
    template_name = "learn/admin/import_article.html"
    page_title = "Import article"
    header_icon = "upload"

    def dispatch(self, request, *args, **kwargs):
        self.parents = importable_parents(request.user)
        if not self.parents:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [{"url": "", "label": self.page_title}]

    def get_initial(self):
        wanted = self.request.GET.get("parent", "")
        chosen = next((page for page in self.parents if str(page.pk) == wanted), self.parents[0])
        return {"parent": chosen.pk}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "parents": self.parents}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(action_url=self.request.get_full_path(), submit_button_label="Import as draft")
        context["submit_button_active_label"] = "Importing…"
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = import_article(
                upload.read(MAX_BYTES + 1),
                form.cleaned_data["parent"],
                user=self.request.user,
                update=form.cleaned_data["update"],
                # Left empty on an update, the article keeps its author and topics.
                author=form.cleaned_data["author"] or None,
                topics=form.cleaned_data["topics"] or None,
            )
        except TitleTaken as refusal:
            form.add_error("file", f"{refusal} Tick “Replace the article with the same title” to update it.")
            return self.form_invalid(form)
        except ImportRefused as refusal:
            form.add_error("file", str(refusal))
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error("update", "You don't have permission to change the article with this title.")
            return self.form_invalid(form)

        messages.success(self.request, result.summary())
        if result.article.notes:
            messages.warning(self.request, "Check in the editor: " + " ".join(result.article.notes))
        return redirect(reverse("wagtailadmin_pages:edit", args=[result.page.pk]))
