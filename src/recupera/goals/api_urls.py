from django.urls import path

from recupera.goals import api

urlpatterns = [
    path("goals/", api.GoalsAPI.as_view(), name="goals"),
    path("productivity/", api.ProductivityAPI.as_view(), name="productivity"),
]
