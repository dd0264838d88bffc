"""Signals that let higher apps react to the system of record without campaigns importing them."""

from django.dispatch import Signal

# Sent inside the ingestion transaction with `organization` and `contacts`: a list of (external_ref, phone, email)
# as they arrived, raw, for consumers that were stored. This is the only moment raw contact values exist on our side:
# receivers may derive keyed tokens from them but must never store or log them.
consumer_contacts_received = Signal()

# Sent when a page shows a stored campaign audience, with `organization` and `segment_ids`. Segments belong to
# analytics, so campaigns asks rather than imports: a receiver returns {segment id: (Chinese name, English name)} for
# the ids it knows; an id nobody names is shown as "#<id>".
audience_segment_names_wanted = Signal()

# Sent inside the erasure transaction with `consumer`, before the consumer's rows are deleted. Receivers remove the
# consumer from what they store outside the database (model artefacts); raising aborts the erasure.
consumer_erasing = Signal()
