from django.urls import path

from recupera.collections import api

urlpatterns = [
    path("cases/", api.CaseListAPI.as_view(), name="case-list"),
    path("cases/<int:pk>/", api.CaseDetailAPI.as_view(), name="case-detail"),
    path("cases/<int:pk>/actions/", api.CaseActionsAPI.as_view(), name="case-actions"),
    path("promises/", api.PromiseListAPI.as_view(), name="promise-list"),
    path("messages/", api.MessageListAPI.as_view(), name="message-list"),
    path("messages/<int:pk>/acknowledge/", api.MessageAckAPI.as_view(), name="message-ack"),
]
