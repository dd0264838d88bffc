"""Demo data for `manage.py seed_demo`: a bilingual catalogue, a documented generative model of behaviour, and the
writer that stores both idempotently. See docs/demo-data.md for the model and the signal each feature should find."""
