"""Delivery of the published report (e-mail to the BME Progression Group, a shared folder)
and alerts to operators when a night fails; see docs/operations.md.

``dispatch`` runs it after a night and for ``progression deliver``; ``ledger`` records every
delivery (``ops.deliveries``); ``messages`` writes the messages from the report's protected
summary; ``smtp`` and ``folder`` send and copy.
"""


class DeliveryError(Exception):
    """A delivery that did not happen; the message says why (never a secret)."""
