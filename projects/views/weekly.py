"""The weekly loop: "Mes projets", the two-minute status update and its live indicators."""

urlpatterns: list = []
