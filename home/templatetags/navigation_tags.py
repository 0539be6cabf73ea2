"""The header menu (home.navigation), with the visitor's current place marked."""

from django import template
from wagtail.models import Site

from home.navigation import menu_items

register = template.Library()


@register.inclusion_tag("includes/main_menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    site = Site.find_for_request(request) if request is not None else None
    path = request.path if request is not None else ""
    return {"items": [(item, item.current(path)) for item in menu_items(site)]}
