# Highlight reports (issue 4 item 2): `make bench-highlight` generates this week's highlight report of
# every active project in process, as the Friday batch does, and prints the time per report.
# Options: HIGHLIGHT_LIMIT=200 (first N active projects), HIGHLIGHT_PORTFOLIO=<code>,
# HIGHLIGHT_PERIOD=2026-11-16 (a day of the week).
# It deletes and regenerates the week's reports of the measured projects: never on production data.
.PHONY: bench-highlight

bench-highlight: python-deps
	$(PY) -m benchmarks.highlight_batch $(if $(HIGHLIGHT_LIMIT),--limit $(HIGHLIGHT_LIMIT)) \
		$(if $(HIGHLIGHT_PORTFOLIO),--portfolio $(HIGHLIGHT_PORTFOLIO)) $(if $(HIGHLIGHT_PERIOD),--period $(HIGHLIGHT_PERIOD))
