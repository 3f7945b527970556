from django.urls import path

from recupera.custody import views

app_name = "custody"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("documentos/", views.item_list, name="items"),
    path("documentos/<str:code>/", views.item_detail, name="item"),
    path("documentos/<str:code>/copias/", views.copy_upload, name="copy_upload"),
    path("documentos/<str:code>/<str:kind>/", views.movement_create, name="movement"),
    path("movimientos/<int:pk>/acuse.pdf", views.movement_pdf, name="movement_pdf"),
    path("copias/<int:pk>/", views.copy_view, name="copy"),
    path("ubicaciones/", views.locations, name="locations"),
    path("ubicaciones/<str:code>/", views.location_detail, name="location"),
    path("etiquetas/", views.labels, name="labels"),
    path("inventarios/", views.campaigns, name="campaigns"),
    path("inventarios/<int:pk>/", views.campaign_detail, name="campaign"),
    path("inventarios/<int:pk>/cerrar/", views.campaign_close, name="campaign_close"),
    path("pagares/ingresar/", views.notes_register, name="notes_register"),
    path("expedientes/nuevo/", views.dossier_create, name="dossier_create"),
    path("mis-documentos/", views.my_loans, name="my_loans"),
]
