from django.urls import path

from offers.catalogue import availability_views
from offers.catalogue import policy_views as views
from offers.reports import funnel_views

app_name = "offers"

urlpatterns = [
    path("go/<int:banner_id>/", funnel_views.banner_click, name="banner_click"),
    path("offers/refund-policy/<slug:slug>/", views.refund_policy, name="refund_policy"),
    path("offers/availability/<int:page_id>/", availability_views.offer_availability, name="availability"),
]
