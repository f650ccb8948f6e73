# Security hardening (issue 9, RELIABILITY rows 7-15 and 30).
#   make audit           supply chain, part of `make test`: pip-audit over requirements.lock (0 known-
#                        vulnerable pins; PIP_AUDIT_STRICT=1 also fails when the index cannot be
#                        audited) and bandit over the application code (0 High)
#   make security        the security tests with their figures printed (pytest -s): MFA, sessions
#                        and brute force, password policy, headers/cookies and CSRF/GET crawls,
#                        deployment probes, XSS corpus (with Chromium), export injection
.PHONY: audit pip-audit bandit security

audit: pip-audit bandit

pip-audit: python-deps
	$(PY) -m tests.security.supply_chain pip-audit

bandit: python-deps
	$(PY) -m tests.security.supply_chain bandit

security: python-deps
	$(PY) bin/ensure-database
	set -o pipefail; DJANGO_SETTINGS_MODULE=pmo.settings.test $(VENV)/bin/pytest tests/security \
	  tests/core/test_sessions.py tests/core/test_settings.py -p no:cacheprovider -q -s \
	  | grep --line-buffered -E "^RELIABILITY|passed|failed|error"

test: audit
