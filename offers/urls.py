from django.urls import path

from offers import funnel_views, views

app_name = "offers"

urlpatterns = [
    path("go/<int:banner_id>/", funnel_views.banner_click, name="banner_click"),
    path("offers/refund-policy/<slug:slug>/", views.refund_policy, name="refund_policy"),
]
