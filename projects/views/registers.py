"""The project page's register tabs: milestones, costs, risks, issues, deliverables, dependencies,
status history."""

urlpatterns: list = []
