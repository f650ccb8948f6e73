"""The pass figures the tests print for the closing note (run pytest with -s to see them)."""


class Tally:
    """Counts the named checks of one RELIABILITY row that passed; prints `n/total` at the end of
    the module (each check calls `passed` as its last line, so a failed check is not counted)."""

    def __init__(self, row: str, label: str, names: list[str]):
        self.row, self.label, self.names = row, label, names
        self.done: set[str] = set()

    def passed(self, name: str) -> None:
        assert name in self.names, name
        self.done.add(name)

    def report(self) -> None:
        if not self.done:
            return  # the module's checks were not selected in this run
        missing = [name for name in self.names if name not in self.done]
        print(
            f"\nRELIABILITY row {self.row}: {len(self.done)}/{len(self.names)} {self.label}"
            + (f" (not passed or not run: {', '.join(missing)})" if missing else "")
        )
