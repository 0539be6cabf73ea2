from django.urls import path

from offers.catalogue import availability_views, banner_views, policy_views

app_name = "offers"

urlpatterns = [
    path("go/<int:banner_id>/", banner_views.banner_click, name="banner_click"),
    path("offers/refund-policy/<slug:slug>/", policy_views.refund_policy, name="refund_policy"),
    path("offers/availability/<int:page_id>/", availability_views.offer_availability, name="availability"),
]
