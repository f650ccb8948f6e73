import pytest
from pghistory.models import Event

from projects.tabular import engine, reader


def event_model(model):
    return next(
        m
        for m in Event.__subclasses__() + [s for e in Event.__subclasses__() for s in e.__subclasses__()]
        if getattr(m, "pgh_tracked_model", None) is model
    )


@pytest.fixture
def plan_of():
    """plan_of(user, portfolio, data, name="f.xlsx") → the dry-run plan of a file."""

    def plan(user, portfolio, data: bytes, name: str = "f.xlsx", object_type: str = ""):
        read = reader.read_file(filename=name, data=data, object_type=object_type)
        return engine.plan_import(actor=user, portfolio=portfolio, read=read)

    return plan


@pytest.fixture
def apply_file():
    def apply(user, portfolio, data: bytes, name: str = "f.xlsx", object_type: str = ""):
        read = reader.read_file(filename=name, data=data, object_type=object_type)
        return engine.apply_import(actor=user, portfolio=portfolio, read=read, reason="test")

    return apply
