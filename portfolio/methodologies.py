"""The three standard methodologies the PMO starts from (issue 5): PRINCE2, a classic waterfall
method and an agile one, with their stages, gate checklists and required document types.

Plain data, written in French (it is the organisation's content, not interface text), and one
function that installs it with whichever model classes it is given: the migration passes its
historical models, the demo seed the real ones. Installing twice changes nothing.
"""

DOCUMENT_TYPES = {
    "prince2": [
        ("mandat", "Mandat de projet", "Le déclencheur du projet : objectifs, contraintes, sponsor."),
        ("brief", "Exposé du projet (project brief)", "Périmètre, approche et business case provisoire."),
        ("business-case", "Business case", "Justification : coûts, bénéfices, risques majeurs, options."),
        ("pid", "Documentation d'initialisation (PID)", "Plans, organisation, contrôles, tolérances."),
        ("plan-sequence", "Plan de séquence", "Le plan de la séquence de livraison suivante."),
        ("rapport-fin-sequence", "Rapport de fin de séquence", "Bilan de la séquence et prévisions."),
        ("rapport-cloture", "Rapport de clôture", "Bilan final, bénéfices, leçons, actions de suivi."),
    ],
    "classique": [
        ("note-cadrage", "Note de cadrage", "Contexte, objectifs, périmètre, parties prenantes, budget."),
        ("business-case", "Business case", "Justification économique et options étudiées."),
        ("plan-projet", "Plan de management de projet", "Planning de référence, budget, organisation."),
        ("specifications", "Spécifications fonctionnelles", "Exigences validées par la maîtrise d'ouvrage."),
        ("plan-recette", "Plan de recette", "Stratégie, cas de test, critères d'acceptation."),
        ("pv-recette", "PV de recette", "Procès-verbal signé de la recette et réserves."),
        ("plan-bascule", "Plan de bascule", "Séquence de mise en production, retour arrière."),
        ("rapport-cloture", "Rapport de clôture", "Bilan final, écarts, leçons apprises."),
    ],
    "agile": [
        ("vision", "Vision produit", "Problème, utilisateurs, proposition de valeur, indicateurs."),
        ("backlog", "Backlog initial priorisé", "Épopées et histoires priorisées, estimées."),
        ("definition-of-done", "Definition of Done", "Critères de qualité partagés par l'équipe."),
        (
            "revue-increment",
            "Compte rendu de revue d'incrément",
            "Démonstration et retours des parties prenantes.",
        ),
        ("notes-version", "Notes de version", "Contenu livré, limites connues, plan de déploiement."),
        ("rapport-cloture", "Rapport de clôture", "Bilan, valeur obtenue, rétrospective finale."),
    ],
}

# code, name, description, [(stage, gate name, criteria, required document codes)]
METHODOLOGIES = [
    (
        "prince2",
        "PRINCE2",
        "Méthode PRINCE2 : gestion par séquences, par exception et par les produits.",
        [
            (
                "Élaboration",
                "Autorisation d'initialiser",
                [
                    "Le mandat de projet est validé par le sponsor.",
                    "Le business case provisoire justifie l'initialisation.",
                    "Le chef de projet et le comité de pilotage sont nommés.",
                ],
                ["mandat", "brief"],
            ),
            (
                "Initialisation",
                "Autorisation du projet",
                [
                    "Le business case détaillé est approuvé.",
                    "Les tolérances de temps, coût et périmètre sont fixées.",
                    "Les stratégies qualité, risques et communication sont définies.",
                    "Le plan de la première séquence de livraison est prêt.",
                ],
                ["business-case", "pid", "plan-sequence"],
            ),
            (
                "Phases de livraison",
                "Fin de la dernière séquence",
                [
                    "Les produits de la séquence sont livrés et acceptés.",
                    "Le business case reste viable.",
                    "Les risques résiduels sont transférés ou acceptés.",
                ],
                ["rapport-fin-sequence"],
            ),
            (
                "Clôture",
                "Autorisation de clôture",
                [
                    "Tous les produits sont acceptés par les utilisateurs.",
                    "Les actions de suivi et la revue des bénéfices sont planifiées.",
                    "Les leçons apprises sont enregistrées.",
                ],
                ["rapport-cloture"],
            ),
        ],
    ),
    (
        "classique",
        "Méthode classique (cycle en V)",
        "Cycle en V : cadrage, planification, exécution, recette, bascule et clôture.",
        [
            (
                "Cadrage",
                "Jalon de lancement",
                [
                    "Les objectifs et le périmètre sont validés par le sponsor.",
                    "Le budget prévisionnel est estimé à ±30 %.",
                    "Les parties prenantes sont identifiées.",
                ],
                ["note-cadrage", "business-case"],
            ),
            (
                "Planification",
                "Jalon de planification",
                [
                    "Le planning de référence est validé.",
                    "Le budget est estimé à ±10 % et financé.",
                    "Les ressources clés sont confirmées.",
                    "Le registre des risques est à jour.",
                ],
                ["plan-projet", "specifications"],
            ),
            (
                "Exécution",
                "Jalon d'entrée en recette",
                [
                    "Les développements sont terminés et testés unitairement.",
                    "Le plan de recette est validé par la maîtrise d'ouvrage.",
                    "Les environnements de recette sont prêts.",
                ],
                ["plan-recette"],
            ),
            (
                "Recette/Acceptation",
                "Go / no-go de mise en production",
                [
                    "Aucune anomalie bloquante ouverte.",
                    "Les réserves sont acceptées par le métier.",
                    "Le plan de bascule et de retour arrière est validé.",
                ],
                ["pv-recette", "plan-bascule"],
            ),
            (
                "Bascule",
                "Fin de bascule",
                [
                    "La mise en production est réalisée sans incident majeur.",
                    "Le support est transféré à l'exploitation.",
                ],
                [],
            ),
            (
                "Clôture",
                "Clôture du projet",
                [
                    "Le bilan financier est arrêté.",
                    "Les leçons apprises sont partagées.",
                    "Les contrats et accès sont clos.",
                ],
                ["rapport-cloture"],
            ),
        ],
    ),
    (
        "agile",
        "Agile",
        "Livraison par incréments : découverte, incréments, mise en service, clôture.",
        [
            (
                "Discovery",
                "Go pour la livraison",
                [
                    "Le problème et les utilisateurs cibles sont validés.",
                    "Le backlog initial est priorisé par le product owner.",
                    "L'équipe et la Definition of Done sont en place.",
                ],
                ["vision", "backlog", "definition-of-done"],
            ),
            (
                "Delivery increments",
                "Go pour la mise en service",
                [
                    "Le produit minimum viable est accepté en revue d'incrément.",
                    "La dette technique est sous contrôle.",
                    "Les indicateurs de valeur sont mesurés.",
                ],
                ["revue-increment"],
            ),
            (
                "Release",
                "Fin de mise en service",
                [
                    "La version est déployée et stable.",
                    "Les utilisateurs sont formés et le support est prêt.",
                ],
                ["notes-version"],
            ),
            (
                "Closure",
                "Clôture",
                [
                    "La valeur obtenue est comparée à la vision.",
                    "La rétrospective finale est tenue.",
                ],
                ["rapport-cloture"],
            ),
        ],
    ),
]


def install_standard(*, Methodology, Stage, GateDefinition, DocumentType) -> dict:  # noqa: N803
    """Create the three standard methodologies if missing (by code); returns them by code."""
    installed = {}
    for code, name, description, stages in METHODOLOGIES:
        methodology, created = Methodology.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )
        installed[code] = methodology
        if not created:
            continue
        types = {
            doc_code: DocumentType.objects.create(
                methodology=methodology, code=doc_code, name=doc_name, description=doc_description
            )
            for doc_code, doc_name, doc_description in DOCUMENT_TYPES[code]
        }
        for order, (stage_name, gate_name, criteria, required) in enumerate(stages, start=1):
            stage = Stage.objects.create(methodology=methodology, order=order, name=stage_name)
            gate = GateDefinition.objects.create(stage=stage, name=gate_name, criteria=criteria)
            gate.required_document_types.set([types[doc] for doc in required])
    return installed


def stage_for_name(stages, name: str):
    """The stage whose name is `name`, or starts with it ("Recette" → "Recette/Acceptation")."""
    wanted = (name or "").strip().lower()
    if not wanted:
        return None
    for stage in stages:
        if stage.name.lower() == wanted:
            return stage
    for stage in stages:
        if stage.name.lower().startswith(wanted) or wanted.startswith(stage.name.lower()):
            return stage
    return None


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A small, valid one-page PDF (Helvetica, WinAnsi) with a title and lines of text: the demo's
    document templates and documents, without a rendering engine."""

    def text(value: str) -> str:
        encoded = value.encode("cp1252", "replace").decode("latin-1")
        return encoded.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 16 Tf 56 780 Td (" + text(title) + ") Tj ET"]
    for index, line in enumerate(lines[:40]):
        body.append(f"BT /F1 11 Tf 56 {748 - 18 * index} Td (" + text(line) + ") Tj ET")
    stream = "\n".join(body).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + content + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
