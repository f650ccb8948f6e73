"""Long-running reliability checks (`make reliability`): each prints `RELIABILITY row N: <figure>`.

Rows refer to ../shared/RELIABILITY.md. The fast variants run in `make test` from tests/reliability/.
"""
