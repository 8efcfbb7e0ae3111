from django.apps import AppConfig


class ShowroomConfig(AppConfig):
    name = "showroom"
    verbose_name = "Showroom"

    def ready(self) -> None:
        from showroom.core.text import install_form_validator

        install_form_validator()
