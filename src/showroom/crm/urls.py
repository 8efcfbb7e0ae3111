from django.urls import path  # noqa: F401

app_name = "crm"

urlpatterns: list = []  # type: ignore[type-arg]
