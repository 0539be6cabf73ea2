"""Admin entry points for importing explainers: a menu item, a button on the learn index, the upload URL."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from .admin_views import ImportArticleView, importable_parents
from .models import LearnIndexPage


class ImportArticleMenuItem(MenuItem):
    def is_shown(self, request):
        return bool(importable_parents(request.user))


@hooks.register("register_admin_urls")
def register_import_article_url():
    return [path("learn/import/", ImportArticleView.as_view(), name="learn_import_article")]


@hooks.register("register_admin_menu_item")
def register_import_article_menu_item():
    return ImportArticleMenuItem("Import article", reverse("learn_import_article"), icon_name="upload", order=250)


@hooks.register("register_page_header_buttons")
def import_article_button(page, user, view_name, next_url=None):
    if page.specific_class is LearnIndexPage and page.permissions_for_user(user).can_add_subpage():
        url = reverse("learn_import_article") + f"?parent={page.pk}"
        yield Button("Import article", url=url, icon_name="upload", priority=16)
