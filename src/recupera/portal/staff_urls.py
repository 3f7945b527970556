from django.urls import path

from recupera.portal import staff_views

app_name = "portal_staff"

urlpatterns = [
    path("", staff_views.request_list, name="requests"),
    path("<int:pk>/", staff_views.request_answer, name="answer"),
]
