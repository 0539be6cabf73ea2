from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Page
from wagtail.templatetags.wagtailcore_tags import pageurl

register = template.Library()

SUMMARY_WORDS = 35


@register.filter
def page_type(result):
    """The result's type as an editor named it, e.g. "article" or "refund policy"."""
    model = getattr(result, "specific_class", None) or type(result)
    return model._meta.verbose_name


@register.filter
def summary(result):
    """The page's search description, else the start of its intro (a policy's summary)."""
    text = getattr(result, "search_description", "") or strip_tags(getattr(result, "intro", "") or "")
    text = text or getattr(result, "summary", "")
    return Truncator(" ".join(str(text).split())).words(SUMMARY_WORDS)


@register.simple_tag(takes_context=True)
def result_url(context, result):
    """A page's URL on this site, or another result's public page."""
    if isinstance(result, Page):
        return pageurl(context, result)
    return result.get_absolute_url()


@register.simple_tag(takes_context=True)
def page_link(context, number):
    """The search URL for another page of results, keeping the query."""
    params = context["request"].GET.copy()
    params["page"] = number
    params["query"] = context["query"]
    return "?" + params.urlencode()
