# RELIABILITY rows 16-29 (../shared/RELIABILITY.md): `make reliability` runs the long checks one after
# the other, each printing `RELIABILITY row N: <figure>`, then a summary; non-zero exit on a failure.
# The fast variants (tests/reliability/) run in `make test`. Shorten the long ones with
# RELIABILITY_FUZZ_SECONDS, RELIABILITY_SOAK_SECONDS, RELIABILITY_LOAD_SECONDS (see reliability/run.py).

.PHONY: reliability backup restore

reliability: python-deps
	$(PY) bin/ensure-database
	$(PY) -m reliability.run $(RELIABILITY_ONLY)

# pg_dump -Fc of DATABASE_URL's database and a tar of MEDIA_ROOT into backups/<timestamp>/.
backup: python-deps
	$(PY) -m reliability.backup backup

# pg_restore --single-transaction --exit-on-error of BACKUP=backups/<timestamp> into a fresh database
# (RESTORE_DB, default <db>_restored_<timestamp>) and its media into RESTORE_MEDIA (default
# BACKUP/media). Prints the DATABASE_URL and MEDIA_ROOT to switch to.
restore: python-deps
	@test -n "$(BACKUP)" || { echo "usage: make restore BACKUP=backups/<timestamp> [RESTORE_DB=name]"; exit 2; }
	$(PY) -m reliability.backup restore "$(BACKUP)" $(if $(RESTORE_DB),--database "$(RESTORE_DB)") $(if $(RESTORE_MEDIA),--media "$(RESTORE_MEDIA)")
