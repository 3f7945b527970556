from django.urls import path

from recupera.agreements import api

urlpatterns = [
    path("agreements/policies/", api.PolicyListAPI.as_view(), name="agreement-policies"),
    path("agreements/policies/<int:pk>/", api.PolicyDetailAPI.as_view(), name="agreement-policy"),
    path("agreements/simulate/", api.SimulateAPI.as_view(), name="agreement-simulate"),
    path("agreements/", api.ProposeAPI.as_view(), name="agreement-propose"),
    path("agreements/pending/", api.PendingAPI.as_view(), name="agreement-pending"),
    path("agreements/<int:pk>/", api.AgreementDetailAPI.as_view(), name="agreement-detail"),
    path("agreements/<int:pk>/approve/", api.ApproveAPI.as_view(), name="agreement-approve"),
    path("agreements/<int:pk>/reject/", api.RejectAPI.as_view(), name="agreement-reject"),
]
