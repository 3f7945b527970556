from django.urls import path

from recupera.credits import api

urlpatterns = [
    path("credits/", api.CreditListAPI.as_view(), name="credit-list"),
    path("credits/<str:folio>/", api.CreditDetailAPI.as_view(), name="credit-detail"),
]
