from django.urls import path

from showroom.sales.cards import views

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.new, name="new"),
    path("phone-check/", views.phone_check, name="phone_check"),
    path("trims/", views.trims, name="trims"),
    path("handover/", views.handover, name="handover"),
    path("<int:pk>/", views.card, name="card"),
    path("<int:pk>/edit/", views.card_edit, name="edit"),
    path("<int:pk>/history/", views.card_history, name="history"),
]
