# Benchmarks (issue 11): `make bench` measures every operation against gunicorn on the large seed;
# `make bench-smoke` (part of `make test`) fails when a page's query count grows with the data.
.PHONY: bench bench-smoke

# Options: BENCH_OPS=list-api,tab- (keys or prefixes), BENCH_REQUESTS=200, BENCH_WARMUP=10,
# BENCH_CLIENTS=8, BENCH_PORT, BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pmo_bench),
# BENCH_FAIL_ON_MISS=1 to exit non-zero when a target is missed.
bench: python-deps
	$(PY) -m benchmarks.run

bench-smoke: python-deps
	$(PY) -m benchmarks.smoke

test: bench-smoke
