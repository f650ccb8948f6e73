from django.contrib.auth import get_user_model
from rest_framework import serializers

from portfolio.forms import PORTFOLIO_TOLERANCE_FIELDS
from portfolio.models import Membership, Portfolio, Programme


class PortfolioSerializer(serializers.ModelSerializer):
    class Meta:
        model = Portfolio
        fields = [
            "id",
            "code",
            "name",
            "description",
            "currency",
            "fiscal_year_start_month",
            "allocation_mode",
            *PORTFOLIO_TOLERANCE_FIELDS,
            "version",
            "archived_at",
        ]
        read_only_fields = ["id", "version", "archived_at"]


class ProgrammeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Programme
        fields = [
            "id",
            "portfolio",
            "code",
            "name",
            "description",
            "manager",
            "sponsor",
            "state",
            "start_date",
            "end_date",
            "version",
            "archived_at",
        ]
        read_only_fields = ["id", "version", "archived_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and request.user.is_authenticated:
            # A foreign portfolio id is an unknown id, not a choice (no existence oracle).
            self.fields["portfolio"].queryset = Portfolio.objects.editable_by(request.user).active()
        self.fields["manager"].queryset = get_user_model().objects.filter(is_active=True)
        self.fields["sponsor"].queryset = get_user_model().objects.filter(is_active=True)
        if self.instance is not None and not isinstance(self.instance, list | tuple):
            self.fields["portfolio"].read_only = True
            self.fields["code"].read_only = True

    def validate(self, attrs):
        portfolio = attrs.get("portfolio") or getattr(self.instance, "portfolio", None)
        errors = {}
        for name in ("manager", "sponsor"):
            person = attrs.get(name)
            if (
                person
                and portfolio
                and not Membership.objects.filter(portfolio=portfolio, user=person).exists()
            ):
                errors[name] = "This person is not a member of the portfolio."
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            errors["end_date"] = "The end date must be on or after the start date."
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class MembershipSerializer(serializers.ModelSerializer):
    portfolio_code = serializers.CharField(source="portfolio.code", read_only=True)
    portfolio_name = serializers.CharField(source="portfolio.name", read_only=True)

    class Meta:
        model = Membership
        fields = ["portfolio", "portfolio_code", "portfolio_name", "role"]


class MeSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(source="get_full_name", read_only=True)
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = get_user_model()
        fields = ["id", "username", "full_name", "email", "memberships"]
