from django import template
from django.utils.html import strip_tags
from django.utils.text import Truncator

register = template.Library()

SUMMARY_WORDS = 35


@register.filter
def page_type(page):
    """The page's type as an editor named it, e.g. "article page"."""
    return page.specific_class._meta.verbose_name if page.specific_class else ""


@register.filter
def summary(page):
    """The page's search description, else the start of its intro."""
    text = page.search_description or strip_tags(getattr(page, "intro", "") or "")
    return Truncator(" ".join(text.split())).words(SUMMARY_WORDS)


@register.simple_tag(takes_context=True)
def page_link(context, number):
    """The search URL for another page of results, keeping the query."""
    params = context["request"].GET.copy()
    params["page"] = number
    params["query"] = context["query"]
    return "?" + params.urlencode()
