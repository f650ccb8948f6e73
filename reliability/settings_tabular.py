"""Settings of the spreadsheet-import kill drill (reliability/tabular_import.py): the Celery fault
settings, plus a pause half-way through the writes of an import for kill -9 to land in."""

from reliability.settings_faults import *  # noqa: F403

TABULAR_FAULT_PAUSE_SECONDS = 25
