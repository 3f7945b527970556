"""Import pages, included by credits/urls.py (app namespace `credits`) before the folio routes."""

from django.urls import path

from recupera.credits import import_views

urlpatterns = [
    path("importar/", import_views.import_upload, name="import"),
    path("importar/<int:pk>/", import_views.import_status, name="import_status"),
    path("importar/<int:pk>/avance/", import_views.import_progress, name="import_progress"),
    path("importar/<int:pk>/reanudar/", import_views.import_resume, name="import_resume"),
]
