"""The importable objects, one declarative spec each: sheet name, columns (French header, type,
required, choices, bounds), natural key and the model fields they fill.

Adding an object is one more `SheetSpec(...)` in SPECS and its model in
engine.MODEL_FOR, plus any object-specific rule in `row_checks`.

Headers are part of the file format and stay French whatever the interface language; when reading, a
header also matches its column's field name (`code`, `forecast_date`...), so both stay stable.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils import translation
from django.utils.text import slugify

from portfolio.resource_models import Absence, Resource, ResourceSkill
from projects.models import CostLine, Issue, Milestone, Project, Risk
from projects.models.registers import CostCategory

(
    TEXT,
    SLUG,
    INT,
    DECIMAL,
    MONEY,
    DATE,
    MONTH,
    BOOL,
    CHOICE,
    PERSON,
    PROGRAMME,
    PROJECT,
    ROLE,
    SKILLS,
    RESOURCE,
) = (
    "text",
    "slug",
    "int",
    "decimal",
    "money",
    "date",
    "month",
    "bool",
    "choice",
    "person",
    "programme",
    "project",
    "role",
    "skills",
    "resource",
)
TRUE_WORDS = {"oui", "o", "vrai", "yes", "y", "true", "x", "1"}
FALSE_WORDS = {"non", "n", "faux", "no", "false", "0", ""}


class CellError(ValueError):
    """A cell's value cannot be read; the message is French (shown with sheet, row, column)."""


@dataclass(frozen=True)
class Column:
    field: str  # model field (foreign keys: the field, e.g. "manager"; values are instances' pks)
    header: str  # French header of the file
    kind: str = TEXT
    required: bool = False
    choices: tuple[tuple[str, object], ...] = ()  # (value, lazy label)
    max_length: int | None = None
    minimum: Decimal | int | None = None
    maximum: Decimal | int | None = None
    width: int = 16
    example: object = None
    note: str = ""  # shown as the header's comment in templates

    def labels(self) -> dict[str, str]:
        """Choice value → French label (what exports and validation lists show)."""
        with translation.override("fr"):
            return {value: str(label) for value, label in self.choices}

    def choice_lookup(self) -> dict[str, str]:
        """Every accepted spelling (value, French and English labels, any case) → value."""
        lookup: dict[str, str] = {}
        for language in ("en", "fr"):
            with translation.override(language):
                for value, label in self.choices:
                    lookup[_fold(str(label))] = value
        for value, _label in self.choices:
            lookup[_fold(value)] = value
        return lookup


@dataclass(frozen=True)
class SheetSpec:
    name: str  # API / URL name: projects, milestones, cost_lines, risks, issues
    title: str  # sheet name (French)
    model: type
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # fields of the natural key (within the portfolio)
    label: str = ""  # French name of one row ("le jalon")
    order: tuple[str, ...] = ()
    alternate_key: tuple[str, ...] = ()  # tried first when all its fields are filled (milestones: uid)
    row_checks: Callable | None = field(default=None, compare=False)

    @property
    def fields(self) -> list[str]:
        return [c.field for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.field == name)


def _fold(text: str) -> str:
    return " ".join(str(text).strip().lower().split())


def header_key(text) -> str:
    """Headers compare without case, accents, punctuation or spaces ("Date prévue" = "date_prevue")."""
    return slugify(str(text or "")).replace("-", "").replace("_", "")


# --- Cell parsing (typed openpyxl values or CSV text) --------------------------------------------

_NUMBER_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CURRENCY = re.compile(r"\s*(€|eur|euros?|\$|usd|£|gbp|chf|%)\s*$", re.IGNORECASE)
_DATE_FR = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\s*$")
_DATE_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?\s*$")
_MONTH_FR = re.compile(r"^\s*(\d{1,2})[/.-](\d{4})\s*$")
_MONTH_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$")
FRENCH_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("janvier", "janv", "jan"),
            ("février", "fevrier", "févr", "fevr", "fév", "fev", "feb"),
            ("mars", "mar"),
            ("avril", "avr", "apr"),
            ("mai", "may"),
            ("juin", "jun"),
            ("juillet", "juil", "jul"),
            ("août", "aout", "aug"),
            ("septembre", "sept", "sep"),
            ("octobre", "oct"),
            ("novembre", "nov"),
            ("décembre", "decembre", "déc", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_WORD = re.compile(r"^\s*([a-zéû]+)\.?\s+(\d{4})\s*$", re.IGNORECASE)


def parse_decimal(value, *, places: int = 2) -> Decimal:
    """1234.5, "1 234,50", "1.234,50 €", "12 000" → Decimal; refuses anything else."""
    if isinstance(value, bool):
        raise CellError("nombre attendu")
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = _CURRENCY.sub("", _NUMBER_SPACES.sub("", str(value)))
        if "," in text and "." in text:
            text = text.replace(".", "").replace(",", ".")  # 1.234,50 (French thousands dot)
        else:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(f"« {value} » n'est pas un nombre (ex. 1 234,50)") from None
    if not number.is_finite():
        raise CellError("nombre attendu")
    quantum = Decimal(1).scaleb(-places)
    if number != number.quantize(quantum):
        if places == 0:
            raise CellError(f"« {value} » n'est pas un nombre entier")
        number = number.quantize(quantum)
    return number


def parse_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            converted = from_excel(value)
        except (ValueError, OverflowError, TypeError):
            converted = None
        if isinstance(converted, datetime):
            return converted.date()
        raise CellError(f"« {value} » n'est pas une date (jj/mm/aaaa)")
    text = str(value).strip()
    for pattern, order in ((_DATE_FR, (3, 2, 1)), (_DATE_ISO, (1, 2, 3))):
        match = pattern.match(text)
        if match:
            year, month, day = (int(match[i]) for i in order)
            if year < 100:
                year += 2000
            try:
                return _bounded(date(year, month, day), value)
            except ValueError:
                break
    raise CellError(f"« {value} » n'est pas une date valide (jj/mm/aaaa)")


def _bounded(day: date, value) -> date:
    if not 1950 <= day.year <= 2100:
        raise CellError(f"« {value} » : année hors de la plage 1950-2100")
    return day


def parse_month(value) -> date:
    """A month: a date (its month), "03/2026", "2026-03" or "mars 2026" → the first day."""
    if isinstance(value, str):
        text = value.strip()
        for pattern, order in ((_MONTH_FR, (2, 1)), (_MONTH_ISO, (1, 2))):
            match = pattern.match(text)
            if match:
                year, month = (int(match[i]) for i in order)
                if 1 <= month <= 12:
                    return _bounded(date(year, month, 1), value)
        match = _MONTH_WORD.match(text)
        if match and match[1].lower() in FRENCH_MONTHS:
            return _bounded(date(int(match[2]), FRENCH_MONTHS[match[1].lower()], 1), value)
    try:
        return parse_date(value).replace(day=1)
    except CellError:
        raise CellError(f"« {value} » n'est pas un mois (mm/aaaa ou une date)") from None


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _fold(value)
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(f"« {value} » : répondez Oui ou Non")


# --- The specs -----------------------------------------------------------------------------------

SCALE = {"minimum": 1, "maximum": 5, "width": 12}


def _milestone_checks(values: dict) -> dict[str, str]:
    errors = {}
    if values.get("actual_date") and values.get("status") == Milestone.Status.CANCELLED:
        errors["status"] = "un jalon annulé n'a pas de date réelle"
    return errors


def _risk_checks(values: dict) -> dict[str, str]:
    opportunity = bool(values.get("is_opportunity"))
    response = values.get("response") or ""
    allowed = (
        {"", "exploit", "enhance", "share", "accept"}
        if opportunity
        else {
            "",
            "avoid",
            "reduce",
            "transfer",
            "accept",
        }
    )
    if response not in allowed:
        kind = "une opportunité" if opportunity else "une menace"
        return {"response": f"cette réponse ne convient pas à {kind}"}
    return {}


def _project_checks(values: dict) -> dict[str, str]:
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        return {"end_date": "la date de fin précède la date de début"}
    return {}


PROJECT_COLUMN = Column(
    "project", "Code projet", PROJECT, required=True, width=16, example="crm-2027", note="Code du projet"
)

PROJECTS = SheetSpec(
    name="projects",
    title="Projets",
    label="le projet",
    model=Project,
    key=("code",),
    order=("code",),
    row_checks=_project_checks,
    columns=(
        Column(
            "code",
            "Code projet",
            SLUG,
            required=True,
            max_length=30,
            width=16,
            example="crm-2027",
            note="Identifiant unique du projet dans le portefeuille (lettres, chiffres, tirets)",
        ),
        Column("name", "Nom", TEXT, required=True, max_length=200, width=36, example="Refonte du CRM"),
        Column("programme", "Programme", PROGRAMME, width=18, example="", note="Code du programme"),
        Column("description", "Description", TEXT, width=40, example="Remplacement de l'outil commercial"),
        Column("state", "État", CHOICE, choices=tuple(Project.State.choices), width=14, example="active"),
        Column("stage", "Étape", TEXT, max_length=100, width=14, example="Réalisation"),
        Column("manager", "Chef de projet", PERSON, width=18, note="Identifiant de connexion"),
        Column("deputy", "Adjoint", PERSON, width=18, note="Identifiant de connexion"),
        Column("sponsor", "Sponsor", PERSON, width=18, note="Identifiant de connexion"),
        Column("start_date", "Date de début", DATE, width=13, example=date(2027, 1, 4)),
        Column("end_date", "Date de fin", DATE, width=13, example=date(2027, 12, 17)),
        Column("budget", "Budget (BAC)", MONEY, minimum=Decimal("0"), width=16, example=Decimal("250000")),
        Column("strategic_score", "Score stratégique", INT, minimum=0, maximum=100, width=12, example=70),
    ),
)

MILESTONES = SheetSpec(
    name="milestones",
    title="Jalons",
    label="le jalon",
    model=Milestone,
    key=("project", "name"),
    alternate_key=("project", "source_uid"),
    order=("project__code", "baseline_date", "name", "pk"),
    row_checks=_milestone_checks,
    columns=(
        PROJECT_COLUMN,
        Column(
            "name", "Nom du jalon", TEXT, required=True, max_length=200, width=32, example="Recette validée"
        ),
        Column(
            "source_uid",
            "Réf. source",
            TEXT,
            max_length=100,
            width=12,
            note="Identifiant dans l'outil d'origine (MS Project, P6) : prioritaire sur le nom",
        ),
        Column("phase", "Phase", TEXT, max_length=200, width=18, example="Réalisation"),
        Column("description", "Description", TEXT, width=30),
        Column("baseline_date", "Date de référence", DATE, width=13, example=date(2027, 6, 30)),
        Column("forecast_date", "Date prévue", DATE, width=13, example=date(2027, 7, 9)),
        Column("actual_date", "Date réelle", DATE, width=13),
        Column("is_key", "Jalon clé", BOOL, width=10, example=True),
        Column(
            "weight",
            "Poids",
            DECIMAL,
            minimum=Decimal("0"),
            maximum=Decimal("9999.99"),
            width=10,
            example=Decimal("10"),
        ),
        Column(
            "status", "Statut", CHOICE, choices=tuple(Milestone.Status.choices), width=12, example="planned"
        ),
        Column("percent_complete", "Avancement (%)", INT, minimum=0, maximum=100, width=12, example=40),
    ),
)

COST_LINES = SheetSpec(
    name="cost_lines",
    title="Coûts",
    label="la ligne de coût",
    model=CostLine,
    key=("project", "month", "category"),
    order=("project__code", "month", "category"),
    columns=(
        PROJECT_COLUMN,
        Column(
            "month",
            "Mois",
            MONTH,
            required=True,
            width=12,
            example=date(2027, 3, 1),
            note="Premier jour du mois, ou mm/aaaa",
        ),
        Column(
            "category",
            "Catégorie",
            CHOICE,
            required=True,
            choices=tuple(CostCategory.choices),
            width=11,
            example="opex",
        ),
        Column(
            "planned", "Prévu (référence)", MONEY, minimum=Decimal("0"), width=16, example=Decimal("20000")
        ),
        Column("actual", "Réel", MONEY, minimum=Decimal("0"), width=16, example=Decimal("18500.5")),
        Column("forecast", "Prévision", MONEY, minimum=Decimal("0"), width=16, example=Decimal("21000")),
    ),
)

RISKS = SheetSpec(
    name="risks",
    title="Risques",
    label="le risque",
    model=Risk,
    key=("project", "title"),
    order=("project__code", "title", "pk"),
    row_checks=_risk_checks,
    columns=(
        PROJECT_COLUMN,
        Column(
            "title", "Titre", TEXT, required=True, max_length=200, width=32, example="Retard du fournisseur"
        ),
        Column("is_opportunity", "Opportunité", BOOL, width=11, example=False),
        Column("cause", "Cause", TEXT, width=28),
        Column("effect", "Effet", TEXT, width=28),
        Column("probability", "Probabilité (1-5)", INT, required=True, **SCALE, example=3),
        Column("impact", "Impact (1-5)", INT, required=True, **SCALE, example=4),
        Column("proximity_date", "Proximité", DATE, width=13),
        Column(
            "response", "Réponse", CHOICE, choices=tuple(Risk.Response.choices), width=12, example="reduce"
        ),
        Column("owner", "Responsable", PERSON, width=18, note="Identifiant de connexion"),
        Column("mitigation", "Plan d'action", TEXT, width=32, example="Pénalités de retard au contrat"),
        Column("status", "Statut", CHOICE, choices=tuple(Risk.Status.choices), width=11, example="open"),
        Column("trend", "Tendance", CHOICE, choices=tuple(Risk.Trend.choices), width=11, example="new"),
    ),
)

ISSUES = SheetSpec(
    name="issues",
    title="Problèmes",
    label="le problème",
    model=Issue,
    key=("project", "title"),
    order=("project__code", "title", "pk"),
    columns=(
        PROJECT_COLUMN,
        Column(
            "title",
            "Titre",
            TEXT,
            required=True,
            max_length=200,
            width=32,
            example="Serveur de recette indisponible",
        ),
        Column("description", "Description", TEXT, width=32),
        Column(
            "severity", "Gravité", CHOICE, choices=tuple(Issue.Severity.choices), width=12, example="high"
        ),
        Column("owner", "Responsable", PERSON, width=18, note="Identifiant de connexion"),
        Column("due_date", "Échéance", DATE, width=13, example=date(2027, 2, 15)),
        Column("resolution", "Résolution", TEXT, width=28),
        Column("status", "Statut", CHOICE, choices=tuple(Issue.Status.choices), width=11, example="open"),
    ),
)


# --- Resources (the portfolio's pool) ----------------------------------------------------------------

SKILL_SEPARATOR = ";"
LEVEL_SEPARATOR = ":"


def skill_levels() -> dict[str, int]:
    """Every accepted spelling of a level (1-4, French and English labels, any case) → level."""
    lookup: dict[str, int] = {}
    for language in ("en", "fr"):
        with translation.override(language):
            for value, label in ResourceSkill.Level.choices:
                lookup[_fold(str(label))] = value
    for value, _label in ResourceSkill.Level.choices:
        lookup[str(value)] = value
    return lookup


def parse_skills(value, known: dict[str, str], levels: dict[str, int]) -> tuple[tuple[str, int], ...]:
    """ "Java:4; SAP FI:Pratique" → (("Java", 4), ("SAP FI", 2)), sorted by name; the skills must exist
    (they are shared reference data). A skill without a level is at level 2 (practice)."""
    result: dict[str, int] = {}
    for part in str(value).split(SKILL_SEPARATOR):
        if not part.strip():
            continue
        name, _sep, level_text = (
            part.rpartition(LEVEL_SEPARATOR) if LEVEL_SEPARATOR in part else (part, "", "")
        )
        skill = known.get(_fold(name))
        if skill is None:
            raise CellError(f"compétence « {name.strip()} » inconnue (voir la feuille Listes)")
        level = levels.get(_fold(level_text)) if level_text.strip() else ResourceSkill.Level.PRACTICE
        if level is None:
            raise CellError(f"« {part.strip()} » : niveau de 1 (notions) à 4 (expert) attendu")
        if skill in result:
            raise CellError(f"compétence « {skill} » citée deux fois")
        result[skill] = int(level)
    return tuple(sorted(result.items()))


def format_skills(skills) -> str:
    """The cell of a resource's skills: "Java:4; SAP FI:2" (sorted by name; parse_skills reads it)."""
    return f"{SKILL_SEPARATOR} ".join(f"{name}{LEVEL_SEPARATOR}{level}" for name, level in sorted(skills))


def _resource_checks(values: dict) -> dict[str, str]:
    errors = {}
    start, end = values.get("available_from"), values.get("available_until")
    if start and end and end < start:
        errors["available_until"] = "la fin de disponibilité précède son début"
    hours = values.get("hours_per_week")
    if isinstance(hours, Decimal) and hours != hours.quantize(Decimal("0.1")):
        errors["hours_per_week"] = "une décimale au plus (ex. 37,5)"
    return errors


RESOURCES = SheetSpec(
    name="resources",
    title="Ressources",
    label="la ressource",
    model=Resource,
    key=("name",),
    order=("name", "pk"),
    row_checks=_resource_checks,
    columns=(
        Column(
            "name",
            "Nom",
            TEXT,
            required=True,
            max_length=200,
            width=26,
            example="Claire Martin",
            note="Nom de la personne (ou du poste) : unique dans le portefeuille, il identifie la ressource",
        ),
        Column(
            "user",
            "Utilisateur",
            PERSON,
            width=18,
            note="Identifiant de connexion, facultatif (une ressource par utilisateur et portefeuille)",
        ),
        Column(
            "role",
            "Rôle",
            ROLE,
            required=True,
            width=20,
            example="",
            note="Nom ou code du rôle (voir la liste)",
        ),
        Column("department", "Service", TEXT, max_length=100, width=18, example="DSI - Études"),
        Column("manager", "Responsable", PERSON, width=18, note="Identifiant de connexion du responsable"),
        Column(
            "cost_rate_per_day",
            "Coût journalier",
            MONEY,
            minimum=Decimal("0"),
            maximum=Decimal("99999999.99"),
            width=15,
            example=Decimal("650"),
        ),
        Column(
            "hours_per_week",
            "Heures par semaine",
            DECIMAL,
            minimum=Decimal("1"),
            maximum=Decimal("60"),
            width=12,
            example=Decimal("35"),
        ),
        Column(
            "working_time_pct", "Temps de travail (%)", INT, minimum=1, maximum=100, width=12, example=100
        ),
        Column("available_from", "Disponible du", DATE, width=13, example=date(2027, 1, 4)),
        Column("available_until", "Disponible jusqu'au", DATE, width=13),
        Column(
            "skills",
            "Compétences",
            SKILLS,
            width=32,
            note="Compétence:niveau séparées par « ; » (niveau 1 notions à 4 expert), ex. Java:4; SAP FI:2",
        ),
    ),
)


def _absence_checks(values: dict) -> dict[str, str]:
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        return {"end_date": "la fin précède le début"}
    return {}


ABSENCES = SheetSpec(
    name="absences",
    title="Absences",
    label="l'absence",
    model=Absence,
    key=("resource", "start_date"),
    order=("resource__name", "start_date", "pk"),
    row_checks=_absence_checks,
    columns=(
        Column(
            "resource",
            "Ressource",
            RESOURCE,
            required=True,
            width=26,
            example="Claire Martin",
            note="Nom de la ressource (feuille Ressources)",
        ),
        Column("start_date", "Début", DATE, required=True, width=13, example=date(2027, 8, 2)),
        Column("end_date", "Fin", DATE, required=True, width=13, example=date(2027, 8, 20)),
        Column("reason", "Motif", TEXT, max_length=200, width=28, example="Congés d'été"),
    ),
)

SPECS: dict[str, SheetSpec] = {
    spec.name: spec for spec in (PROJECTS, MILESTONES, COST_LINES, RISKS, ISSUES, RESOURCES, ABSENCES)
}
POOL = ("resources", "absences")  # portfolio-level sheets: imported by the PMO officers only
PARENTS = ("project", "resource")  # columns naming the parent row (by its natural key)
# Import order: projects first (a workbook may create a project and its registers together).
ORDER = tuple(SPECS)


def spec_for_sheet(title: str) -> SheetSpec | None:
    wanted = header_key(title)
    for spec in SPECS.values():
        if header_key(spec.title) == wanted or header_key(spec.name) == wanted:
            return spec
    return None
