# Benchmark fix (issue 11): project lists filter by portfolio and state and sort by code; with the code
# in the index a page is read in index order (no sort of the whole portfolio). Replaces the
# (portfolio, state) index, which is its prefix.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_milestone_source"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="project",
            name="projects_pr_portfol_0f1bc9_idx",
        ),
        migrations.AddIndex(
            model_name="project",
            index=models.Index(fields=["portfolio", "state", "code"], name="project_portfolio_state_code"),
        ),
    ]
