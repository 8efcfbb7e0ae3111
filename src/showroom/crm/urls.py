from django.urls import path

from showroom.crm import crosscheck_views

app_name = "crm"

urlpatterns: list = [  # type: ignore[type-arg]
    path("crosscheck/", crosscheck_views.crosscheck, name="crosscheck"),
    path("crosscheck/<int:pk>/explain/", crosscheck_views.explain, name="crosscheck_explain"),
    path("intent/", crosscheck_views.intent_checks, name="intent_checks"),
    path("intent/<int:pk>/", crosscheck_views.intent_record, name="intent_record"),
    path("intent/statistics/", crosscheck_views.intent_stats, name="intent_stats"),
]
