from django.urls import path

from recupera.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("nueva/", views.person_create, name="create"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/modificar/", views.person_edit, name="edit"),
    path("<int:pk>/contacto/", views.contact_add, name="contact_add"),
    path("<int:pk>/contacto/<int:contact_pk>/baja/", views.contact_deactivate,
         name="contact_deactivate"),
    path("<int:pk>/domicilio/", views.address_set, name="address_set"),
]
