from django.urls import path

from recupera.privacy import api

urlpatterns = [
    path("privacy/requests/", api.ArcoRequestListView.as_view(), name="privacy-requests"),
    path("privacy/requests/<str:folio>/", api.ArcoRequestDetailView.as_view(),
         name="privacy-request"),
    path("privacy/requests/<str:folio>/export/", api.ArcoExportView.as_view(),
         name="privacy-request-export"),
    path("privacy/notice/", api.NoticeView.as_view(), name="privacy-notice"),
]
