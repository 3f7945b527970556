from django.urls import path

from recupera.goals import views

app_name = "goals"
urlpatterns = [
    path("equipo/", views.team, name="team"),
    path("equipo/<str:collector_id>/pagos/", views.payments, name="payments"),
    path("equipo/<int:collector_id>/boleta.pdf", views.scorecard_pdf, name="scorecard"),
    path("instituto/", views.institute, name="institute"),
    path("fijar/", views.goals_set, name="set"),
    path("exportar.xlsx", views.export_xlsx, name="export"),
]
