from django.urls import path

from recupera.payments import api

urlpatterns = [
    path("payments/imports/", api.ImportListCreate.as_view(), name="payment-imports"),
    path("payments/imports/<int:pk>/", api.ImportDetail.as_view(), name="payment-import-detail"),
    path("payments/unidentified/", api.UnidentifiedList.as_view(), name="payment-unidentified"),
    path("payments/unidentified/<int:pk>/assign/", api.UnidentifiedAssign.as_view(),
         name="payment-unidentified-assign"),
    path("payments/cash/", api.CashPaymentCreate.as_view(), name="payment-cash"),
    path("payments/entries/<int:pk>/reverse/", api.ReversalCreate.as_view(), name="payment-reverse"),
    path("payments/references/<str:folio>/", api.ReferenceDetail.as_view(), name="payment-reference"),
]
