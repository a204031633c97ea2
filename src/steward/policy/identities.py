"""The identity types a policy accepts (Art. 12(6), Art. 15): declared under `identities:`, or
the built-in four when it declares none (`email`, `phone`, `customer_number`,
`national_id` for the controller's country)."""

from __future__ import annotations

from steward.policy.models import IdentityKind, IdentityType, Policy


def builtin_types(country: str) -> tuple[IdentityType, ...]:
    """What a policy without an `identities:` section accepts."""
    return (
        IdentityType(key="email", label="E-mail address", kind=IdentityKind.email, alone=True),
        IdentityType(key="phone", label="Phone number", kind=IdentityKind.phone),
        IdentityType(key="customer_number", label="Customer number"),
        IdentityType(
            key="national_id",
            label="National identity number",
            kind=IdentityKind.national_id,
            country=country,
        ),
    )


def accepted_types(policy: Policy) -> dict[str, IdentityType]:
    """Identity key -> its type, in the policy's order."""
    types = policy.identities or builtin_types(policy.controller.address.country)
    return {t.key: t for t in types}
