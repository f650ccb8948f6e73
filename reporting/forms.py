"""Forms of reporting: requesting a report run, distribution lists, schedules."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from pmo.core.forms import DateInput, StyledForm, StyledFormMixin
from portfolio.models import Portfolio, Programme
from projects.models import Project
from reporting.models import DistributionList, ReportRun


class RunRequestForm(StyledForm):
    """Which report, for which scope (only what the user can see), for which period."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportRun.Kind.choices)
    portfolio = forms.ModelChoiceField(
        label=_("Portfolio"), queryset=Portfolio.objects.none(), required=False
    )
    programme = forms.ModelChoiceField(
        label=_("Programme"), queryset=Programme.objects.none(), required=False
    )
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none(), required=False)
    period = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DateInput,
        help_text=_(
            "Meeting date for a steering committee pack; any day of the week for a highlight report."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["portfolio"].queryset = Portfolio.objects.visible_to(user).filter(
            archived_at__isnull=True
        )
        self.fields["programme"].queryset = Programme.objects.visible_to(user).filter(
            archived_at__isnull=True
        )
        self.fields["project"].queryset = Project.objects.visible_to(user).filter(archived_at__isnull=True)
        # exception reports are requested by sending them (governance), not from here
        self.fields["kind"].choices = [
            choice for choice in ReportRun.Kind.choices if choice[0] != ReportRun.Kind.EXCEPTION
        ]

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ReportRun.Kind.HIGHLIGHT and not data.get("project"):
            self.add_error("project", _("Choose the project of the highlight report."))
        if kind == ReportRun.Kind.STEERING and not (data.get("portfolio") or data.get("programme")):
            self.add_error("portfolio", _("Choose the portfolio or the programme of the pack."))
        programme, portfolio = data.get("programme"), data.get("portfolio")
        if programme and portfolio and programme.portfolio_id != portfolio.pk:
            self.add_error("programme", _("This programme belongs to another portfolio."))
        return data


class DistributionListForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = DistributionList
        fields = [
            "include_sponsor",
            "include_manager",
            "include_pmo",
            "include_executives",
            "users",
            "extra_emails",
        ]
        widgets = {"extra_emails": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["users"].queryset = people
        self.fields["users"].widget.attrs["size"] = 8
        for name in ("include_sponsor", "include_manager", "include_pmo", "include_executives"):
            self.fields[name].widget.attrs["class"] = "form-check-input"
        self.style_fields()

    def clean_extra_emails(self):
        lines = [line.strip() for line in self.cleaned_data["extra_emails"].splitlines() if line.strip()]
        errors = []
        for number, line in enumerate(lines, start=1):
            try:
                validate_email(line)
            except ValidationError:
                errors.append(
                    _("Line %(n)d: “%(value)s” is not an e-mail address.") % {"n": number, "value": line}
                )
        if errors:
            raise ValidationError(errors)
        return "\n".join(lines)


class ScheduleForm(StyledForm):
    """A periodic report's crontab (minute hour day-of-week day-of-month) and whether it runs."""

    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    minute = forms.CharField(label=_("Minute"), max_length=60)
    hour = forms.CharField(label=_("Hour"), max_length=60)
    day_of_week = forms.CharField(
        label=_("Days of the week"),
        max_length=60,
        help_text=_("0 = Sunday, 1-5 = Monday to Friday, * = every day"),
    )
    day_of_month = forms.CharField(label=_("Days of the month"), max_length=60)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["enabled"].widget.attrs["class"] = "form-check-input"

    def clean(self):
        from celery.schedules import ParseException, crontab_parser

        data = super().clean()
        for field, size, start in (
            ("minute", 60, 0),
            ("hour", 24, 0),
            ("day_of_week", 7, 0),
            ("day_of_month", 31, 1),
        ):
            value = data.get(field)
            if value is None:
                continue
            try:
                crontab_parser(size, start).parse(value)
            except (ParseException, ValueError):
                self.add_error(field, _("“%(value)s” is not a valid crontab field.") % {"value": value})
        return data
