"""Quality gates between the raw load and the transformations."""
