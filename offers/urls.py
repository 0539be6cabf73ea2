from django.urls import path

from offers import views

app_name = "offers"

urlpatterns = [
    path("offers/refund-policy/<slug:slug>/", views.refund_policy, name="refund_policy"),
]
