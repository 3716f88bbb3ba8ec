"""Home care and telemedicine for F0: framework-free clinical rules and FHIR interchange.

No Django here: ``rulesets`` (versioned rule data), ``reports`` (the self-monitoring entry and the
age-specific forms), ``warnings`` (warning signs), ``eligibility`` (home-care and discharge rules)
and ``fhir`` (FHIR R4 vital signs). The facts and their sources: docs/reference/care.md.
"""
