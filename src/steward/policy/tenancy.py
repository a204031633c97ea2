"""The controllers the company serves as a processor, and each one's share of the systems.

A processor role (`processor_roles[].systems`) declares the systems holding its controllers'
data; each controller's `scope` says where its data lies in them: a tenant column in a shared
schema (reaching tables without one through their references) or a database of its own.
`scoped_policy(policy, key)` is the policy an assisted request (Art. 28(3)(e)) runs with: its
systems are that controller's share only, each table carrying its tenant condition and each
per-tenant database its own URL, so every search and change stays inside the controller's data.
"""

from __future__ import annotations

from dataclasses import dataclass

from steward.errors import NotFound
from steward.policy.models import (
    ControllerScope,
    Policy,
    ProcessorRole,
    ServedController,
    SystemSpec,
)


@dataclass(frozen=True)
class Served:
    """One controller served, with the processor role it is served under."""

    role: ProcessorRole
    controller: ServedController

    @property
    def key(self) -> str:
        return self.controller.key or ""


def served(policy: Policy) -> list[Served]:
    """Every controller that has a key (the ones assisted requests can name), in policy order."""
    return [
        Served(role, c)
        for role in policy.processor_roles
        for c in role.controllers
        if c.key is not None
    ]


def find(policy: Policy, key: str) -> Served:
    """The controller with `key`; NotFound when the policy names none."""
    for s in served(policy):
        if s.key == key:
            return s
    raise NotFound(f"no controller served with key {key!r}")


def role_system(role: ProcessorRole, key: str) -> SystemSpec:
    for spec in role.systems:
        if spec.key == key:
            return spec
    raise NotFound(f"processor role {role.key!r} has no system {key!r}")


def scoped_system(spec: SystemSpec, scope: ControllerScope) -> SystemSpec:
    """`spec` as one controller sees it: each table with its tenant condition, the
    controller's own database when it has one."""
    tables = [t.model_copy(update={"tenant": scope.tenant_of(t.name)}) for t in spec.tables]
    update: dict[str, object] = {"tables": tables}
    if scope.url_env or scope.url_file:
        # A database of its own: never fall back to the shared one.
        update |= {"url": None, "url_env": scope.url_env, "url_file": scope.url_file}
    return spec.model_copy(update=update)


def scoped_systems(policy: Policy, key: str) -> list[SystemSpec]:
    s = find(policy, key)
    return [scoped_system(role_system(s.role, sc.system), sc) for sc in s.controller.scope]


def scoped_policy(policy: Policy, key: str) -> Policy:
    """The policy an assisted request for controller `key` runs with: the controller's share
    of the role's systems only (the company's own systems are not searched), and as
    processors the role's sub-processors (Art. 28(4): they are told of erasures)."""
    s = find(policy, key)
    subs = set(s.role.sub_processors)
    return policy.model_copy(
        update={
            "systems": scoped_systems(policy, key),
            "processors": [p for p in policy.processors if p.key in subs],
        }
    )


def scope_lines(policy: Policy, key: str) -> list[str]:
    """What an assisted request of controller `key` may touch, one line per system, in words
    fit for the plan the officer approves (no personal values)."""
    s = find(policy, key)
    lines = []
    for sc in s.controller.scope:
        spec = role_system(s.role, sc.system)
        parts = []
        if sc.url_env or sc.url_file:
            parts.append(f"own database ({sc.url_env or sc.url_file})")
        for t in spec.tables:
            cond = sc.tenant_of(t.name)
            if cond is not None:
                parts.append(f"{t.name}: {cond.column} = {cond.value!r}")
            elif not (sc.url_env or sc.url_file):
                parts.append(f"{t.name}: through its references")
        lines.append(f"{spec.key}: " + "; ".join(parts))
    return lines
