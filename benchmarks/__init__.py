"""The benchmark suite (issue 11): `make bench` against gunicorn, `make bench-smoke` in `make test`."""
