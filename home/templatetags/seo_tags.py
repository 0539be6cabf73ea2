"""Tags for the page head: the meta description, the canonical URL and the link-preview image."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import strip_tags
from django.utils.text import Truncator

register = template.Library()

DESCRIPTION_WORDS = 30


@register.simple_tag
def meta_description(page=None, agency=None):
    """The page's search description, else its intro, else the agency's tagline."""
    if page is not None:
        text = getattr(page, "search_description", "") or strip_tags(getattr(page, "intro", "") or "")
        if text:
            return Truncator(text.strip()).words(DESCRIPTION_WORDS)
    return getattr(agency, "tagline", "") or ""


@register.simple_tag(takes_context=True)
def canonical_url(context, page=None):
    """The full URL search engines should index for this response, without query string."""
    request = context.get("request")
    if page is not None and hasattr(page, "get_full_url"):
        url = page.get_full_url(request)
        if url:
            return url
    path = request.path if request is not None else "/"
    return settings.SITE_BASE_URL + path


SHARE_IMAGE_SPEC = "fill-1200x630|format-jpeg"


@register.simple_tag
def share_image_url(page=None):
    """The absolute URL of the 1200×630 picture link previews show: the page's hero image, else the site's default."""
    image = getattr(page, "hero_image", None)
    url = image.get_rendition(SHARE_IMAGE_SPEC).url if image else static("img/share.png")
    return url if url.startswith(("http://", "https://")) else settings.SITE_BASE_URL + url
