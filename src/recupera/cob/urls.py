from django.urls import path

from recupera.cob import views

app_name = "cob"

urlpatterns = [
    path("", views.close_runs, name="runs"),
    path("<int:pk>/", views.close_run_detail, name="run"),
    path("<int:pk>/avance/", views.close_run_progress, name="progress"),
]
