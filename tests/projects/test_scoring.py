"""Weighted scores, ranking and its sensitivity to the weights (projects.scoring), by hand."""

from decimal import Decimal as D

from projects.scoring import Criterion, ranking, sensitivity, weighted_score

VALUE = Criterion("value", D(3))
ALIGN = Criterion("alignment", D(2))
RISK = Criterion("risk", D(1), lower_is_better=True)
CRITERIA = [VALUE, ALIGN, RISK]


def test_weighted_score_on_0_100():
    # value 5 → 1, alignment 3 → 0.5, risk 2 (lower is better) → 0.75: (3 + 1 + 0.75) / 6 = 79.2
    score = weighted_score({"value": D(5), "alignment": D(3), "risk": D(2)}, CRITERIA)
    assert score.value == D("79.2") and score.complete
    assert weighted_score({"value": D(1), "alignment": D(1), "risk": D(5)}, CRITERIA).value == D("0.0")
    assert weighted_score({"value": D(5), "alignment": D(5), "risk": D(1)}, CRITERIA).value == D("100.0")


def test_a_partly_scored_project_is_marked_incomplete():
    partial = weighted_score({"value": D(5)}, CRITERIA)
    assert partial.value == D("100.0") and not partial.complete
    assert weighted_score({}, CRITERIA).value is None
    # out-of-scale values are clamped to the scale
    assert weighted_score({"value": D(9), "alignment": D(0), "risk": D(1)}, CRITERIA).value == D("66.7")


def test_competition_ranking():
    assert ranking({"a": D(80), "b": D(90), "c": D(80), "d": D(10), "e": None}) == {
        "b": 1,
        "a": 2,
        "c": 2,
        "d": 4,
    }


def test_sensitivity_names_the_weights_that_matter():
    values = {
        "fort-valeur": {"value": D(5), "alignment": D(2), "risk": D(3)},
        "aligne": {"value": D(3), "alignment": D(5), "risk": D(3)},
        "sur": {"value": D(3), "alignment": D(3), "risk": D(1)},
    }
    # base: fort-valeur (3+0.5+0.5)/6=66.7, aligne (1.5+2+0.5)/6=66.7, sur (1.5+1+1)/6=58.3
    result = sensitivity(values, CRITERIA, delta=D("0.2"), top=1)
    by_key = {item.key: item for item in result.criteria}
    # value weight ±20 % breaks the tie between the first two: both move, the top changes
    assert by_key["value"].moved == 2 and by_key["value"].largest_shift == 1 and by_key["value"].top_changed
    assert by_key["alignment"].moved == 2
    # the tied pair scores the same on risk (0.5 each): moving its weight changes no rank
    assert by_key["risk"].moved == 0 and not by_key["risk"].top_changed
    assert result.rank_range == {"fort-valeur": (1, 2), "aligne": (1, 2), "sur": (3, 3)}
