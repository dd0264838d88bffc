"""File importers: each maps one external format onto consumers, catalogue items and events, idempotently."""
