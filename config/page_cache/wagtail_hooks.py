"""The page cache's Wagtail hook: which page a request serves."""

from wagtail import hooks

from config import page_cache


@hooks.register("before_serve_page")
def remember_cacheable_page(page, request, serve_args, serve_kwargs):
    """Tells the page cache which page this request serves (the middleware decides on the way out)."""
    page_cache.mark_cacheable(request, page, serve_args)
