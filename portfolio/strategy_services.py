"""Writes on the portfolio's strategy frame: objectives, scoring criteria and the appraisal settings.
Validated first (nothing written on error), audited with the actor, version-checked."""

import copy
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from pmo.core.audit import audit_context
from pmo.core.locking import versioned_update
from portfolio.models import Portfolio, PortfolioStrategySettings


def _validated(instance: models.Model, data: dict[str, Any]) -> models.Model:
    candidate = copy.copy(instance)
    for name, value in data.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=["version", "portfolio"])
    return candidate


@transaction.atomic
def strategy_item_create(*, actor, model: type[models.Model], portfolio: Portfolio, data: dict[str, Any]):
    """Create an objective or a criterion of `portfolio` (ValidationError, nothing written, if invalid)."""
    instance = _validated(model(portfolio=portfolio), data)
    if model.objects.filter(portfolio=portfolio, code=instance.code).exists():
        raise ValidationError({"code": ValidationError(_("This code is already used in this portfolio."))})
    with audit_context(actor=actor):
        instance.save()
    return instance


@transaction.atomic
def strategy_item_update(*, actor, instance: models.Model, version: int, data: dict[str, Any]):
    """Change an objective or a criterion if it is still at `version` (StaleVersionError otherwise)."""
    _validated(instance, data)
    code = data.get("code", instance.code)
    if (
        type(instance)
        .objects.filter(portfolio_id=instance.portfolio_id, code=code)
        .exclude(pk=instance.pk)
        .exists()
    ):
        raise ValidationError({"code": ValidationError(_("This code is already used in this portfolio."))})
    with audit_context(actor=actor):
        return versioned_update(instance=instance, expected_version=version, fields=data)


def strategy_settings_for(portfolio: Portfolio) -> PortfolioStrategySettings:
    """The portfolio's appraisal settings, or the defaults (unsaved) when never set — reads write nothing."""
    try:
        return portfolio.strategy_settings
    except PortfolioStrategySettings.DoesNotExist:
        return PortfolioStrategySettings(portfolio=portfolio, version=0)


@transaction.atomic
def strategy_settings_update(*, actor, portfolio: Portfolio, version: int, data: dict[str, Any]):
    """Set the discount rate and the benefit tolerance (created on first save)."""
    current = strategy_settings_for(portfolio)
    _validated(current, data)
    with audit_context(actor=actor):
        if current.pk is None:
            current = PortfolioStrategySettings(portfolio=portfolio, **data)
            current.save()
            return current
        return versioned_update(instance=current, expected_version=version, fields=data)
