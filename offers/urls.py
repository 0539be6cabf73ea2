from django.urls import path

from offers import availability_views, views

app_name = "offers"

urlpatterns = [
    path("offers/refund-policy/<slug:slug>/", views.refund_policy, name="refund_policy"),
    path("offers/availability/<int:page_id>/", availability_views.offer_availability, name="availability"),
]
