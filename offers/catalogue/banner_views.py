"""The banner click redirect `/go/<banner id>/`: counts the click, then leads to the banner's own offer page."""

from django.http import Http404, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from offers.catalogue import banners
from offers.models.banners import OfferBanner


@require_GET
@never_cache
def banner_click(request, banner_id):
    """Counts one click on a live banner's call to action and sends the visitor to that banner's offer page.

    The destination comes only from the banner itself, never from the request,
    so this cannot be used as an open redirect. Nothing about the visitor is
    stored and no cookie is set. A banner that is not shown any more (a page
    cached before it expired) leads to the offers index, uncounted; an id that
    was never a banner is a 404.
    """
    try:
        banner = banners.shown_banner(banner_id)
    except OfferBanner.DoesNotExist:
        raise Http404("No such banner") from None
    except banners.BannerNotShown:
        fallback = banners.offers_index_url(request)
        if fallback is None:
            raise Http404("This offer is no longer shown") from None
        return HttpResponseRedirect(fallback)
    banners.record_click(banner.pk)
    return HttpResponseRedirect(banners.banner_destination(banner, request))
