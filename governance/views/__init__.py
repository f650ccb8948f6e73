"""Governance pages, one module per area; governance/urls.py joins them."""
