from django.urls import path

from recupera.custody import api

urlpatterns = [
    path("custody/items/", api.ItemListView.as_view(), name="custody-items"),
    path("custody/items/<str:code>/", api.ItemDetailView.as_view(), name="custody-item"),
    path("custody/items/<str:code>/movements/", api.MovementCreateView.as_view(), name="custody-movements"),
    path("custody/locations/", api.LocationListView.as_view(), name="custody-locations"),
]
