from django.apps import AppConfig


class PmoConfig(AppConfig):
    """The wiring: home page, demo seed command; owns no model."""

    name = "pmo"
    verbose_name = "PMO"
