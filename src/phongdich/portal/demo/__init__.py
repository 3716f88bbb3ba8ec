"""Demo data for Thanh Hóa (province 38): residents, checkpoints, weeks of visits, staff accounts.

Used by ``phongdich demo``. Everything is drawn from seeded random streams (``seeded.stream``), so
the same seed on the same day gives the same data. Predictable by design: never for production.
"""
