"""The header menu: the home page's children that editors marked "Show in menus", in page-tree order.

Editors change the menu in the page explorer: the "Show in menus" box on a page's
Promote tab puts it in or takes it out, and sorting the home page's children
orders it. Every page reads the menu and only publishing, moving or deleting a
page changes it, so it is kept with the page cache's memos (one query per
content change, none per page view).
"""

from dataclasses import dataclass

from wagtail.models import Page, Site

from config import page_cache


@dataclass(frozen=True)
class MenuItem:
    title: str
    url: str

    def current(self, path: str) -> str:
        """The aria-current value for a visitor at `path`: "page" on the item's own page, "true" below it."""
        if path == self.url:
            return "page"
        if self.url != "/" and path.startswith(self.url):
            return "true"
        return ""


def menu_items(site: Site | None) -> list[MenuItem]:
    """The menu of `site`, remembered until the next content change."""
    if site is None:
        return []
    return page_cache.remember(f"main-menu:{site.pk}", lambda: _build(site))


def _build(site):
    pages = Page.objects.child_of(site.root_page).live().in_menu().public().order_by("path")
    items = []
    for page in pages:
        url = page.get_url(current_site=site)
        if url:
            items.append(MenuItem(title=page.title, url=url))
    return items
