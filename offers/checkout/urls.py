from django.urls import path

from offers.checkout import views as checkout_views

urlpatterns = [
    path("checkout/return/", checkout_views.checkout_return, name="checkout_return"),
    path("checkout/offline/<str:session_id>/", checkout_views.offline_checkout, name="checkout_offline"),
    path("stripe/webhook/", checkout_views.stripe_webhook, name="stripe_webhook"),
]
