"""Schedule imports: MS Project XML (MSPDI) and Primavera P6 XER parsed into plain dataclasses
(`common`), then mapped onto a project's milestones and cost lines (`schedule`)."""
