"""Load lake day-partitions, prices and tags into the raw tables (one transaction per unit)."""
