from django.urls import path

from showroom.exchange.center import views

app_name = "exchange"

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/<int:pk>/undo/", views.import_undo, name="import_undo"),
    path("templates/", views.template, name="template"),
    path("export/", views.export_view, name="export"),
]
