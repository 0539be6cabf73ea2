from django.urls import path

from offers.aftercare import order_page as order_views

urlpatterns = [
    path("orders/resend/", order_views.resend_link, name="order_link_resend"),
    path("orders/<str:token>/", order_views.order_page, name="order_page"),
    path("orders/<str:token>/<slug:action>/", order_views.order_action, name="order_action"),
]
