# Excel/CSV import and export (issue 8 items 1, 2, 5). `make test` already runs tests/tabular (the
# 10,000-row checks of RELIABILITY row 19 included); these targets run them alone, and the long checks
# with real processes (a Celery worker killed mid-import, a million-row workbook) for `make reliability`.
.PHONY: tabular-test reliability-tabular

tabular-test: python-deps
	DJANGO_SETTINGS_MODULE=pmo.settings.test $(VENV)/bin/pytest tests/tabular -p no:cacheprovider -q

reliability-tabular: python-deps
	$(PY) -m reliability.tabular_import

reliability: reliability-tabular
