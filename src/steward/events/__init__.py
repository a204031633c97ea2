"""Outgoing events: Steward's own events delivered to the webhooks the policy declares."""
