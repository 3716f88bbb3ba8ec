"""Epidemic risk rules without Django: ward risk levels, workplace self-assessment, tax IDs.

Facts, sources and what is unconfirmed: ``docs/reference/risk.md``. Rule sets and
questionnaires are data (``data/``), validated when loaded, so an administrator can change an
unconfirmed value without a deploy.
"""
