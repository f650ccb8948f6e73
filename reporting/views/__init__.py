"""Reporting pages, one module per area; reporting/urls.py joins their `urlpatterns`."""
