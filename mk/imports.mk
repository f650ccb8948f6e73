# Schedule imports (MS Project XML, Primavera XER) and calendar feeds (issue 8).
# `make test` already runs tests/imports (pytest collects tests/); these targets run them alone.
.PHONY: imports-test imports-measure

imports-test: python-deps
	DJANGO_SETTINGS_MODULE=pmo.settings.test $(VENV)/bin/pytest tests/imports -p no:cacheprovider -q

# Time and peak memory of importing the 3,994-activity cost-loaded XER into a new project of the demo
# portfolio, as the demo PMO officer; applied, then rolled back (the database is left as it was).
imports-measure: db
	$(PY) manage.py seed_demo --if-empty
	/usr/bin/time -v $(PY) manage.py import_schedule tests/imports/samples/p6-sp10-cost-loaded.xer \
	  --user pmo --new dsi-groupe:import-measure --rollback 2>&1 \
	  | grep -E '"(new|cost_lines|planned_total|actual_total|seconds_[a-z_]+)"|Elapsed|Maximum resident'
