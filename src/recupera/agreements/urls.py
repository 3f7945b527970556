from django.urls import path

from recupera.agreements import views

app_name = "agreements"

urlpatterns = [
    path("simular/<str:folio>/", views.simulate, name="simulate"),
    path("autorizaciones/", views.inbox, name="inbox"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decidir/", views.decide, name="decide"),
    path("<int:pk>/documento.pdf", views.document_pdf, name="document"),
    path("<int:pk>/pagar/", views.settle, name="settle"),
    path("<int:pk>/soportes/", views.document_add, name="document_add"),
    path("<int:pk>/soportes/<int:doc>/", views.document_download, name="document_download"),
    path("solicitar/<str:folio>/<str:kind>/", views.special_request, name="special"),
    path("politicas/", views.policies, name="policies"),
    path("politicas/nueva/", views.policy_edit, name="policy_create"),
    path("politicas/<int:pk>/", views.policy_edit, name="policy_edit"),
    path("campanas/", views.campaigns, name="campaigns"),
    path("campanas/<int:pk>/", views.campaign_detail, name="campaign"),
    path("campanas/<int:pk>/avance/", views.campaign_progress, name="campaign_progress"),
    path("campanas/<int:pk>/aplicar/", views.campaign_run, name="campaign_run"),
    path("campanas/<int:pk>/reporte.csv", views.campaign_csv, name="campaign_csv"),
]
