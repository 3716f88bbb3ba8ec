"""Signals the kernel sends for the apps above it to act on (core imports no app)."""

from django.dispatch import Signal

# An administrator changed a rule: sender=Rule, rule, old (value or None), request.
rule_changed = Signal()
