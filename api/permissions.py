"""Who may call what: one permission class reading the capability table
(venue_apps.accounts.capabilities). Platform staff only on the apex domain, a chain's
roles only on the chain's hosts."""

from __future__ import annotations

from collections.abc import Mapping

from rest_framework.permissions import BasePermission

from tenants.schemas import current_schema_name
from venue_apps.accounts.capabilities import Capability, has_capability, role_of_site

READS = ("GET", "HEAD", "OPTIONS")
WRITES = ("POST", "PUT", "PATCH", "DELETE", "TRACE")


def reads_and_writes(read: Capability, write: Capability) -> Mapping[str, Capability]:
    """A view's `capability` when reading takes one capability and every change another
    (e.g. the programme: anyone reads, owners and managers write)."""
    return {**dict.fromkeys(READS, read), **dict.fromkeys(WRITES, write)}


# Anyone reads the programme; owners and managers change it.
PROGRAMME = reads_and_writes(Capability.BROWSE, Capability.EDIT_PROGRAMME)
# Anyone reads the terms of sale (before buying); owners and managers change them.
SALES_TERMS = reads_and_writes(Capability.BROWSE, Capability.EDIT_SALES_TERMS)


class HasCapability(BasePermission):
    """Admits a request if its caller may do what the view's `capability` names.

    The view sets `capability` to one Capability for every method, or to a mapping
    `{method: Capability}` (HEAD follows GET; a method not listed is refused); a tuple
    of capabilities in place of one admits a caller holding any of them. A caller
    who is not signed in passes where the table lets `ANONYMOUS` in; a signed-in one
    must hold the capability, with a role of this site (`role_of_site`).
    """

    message = "Your role may not do this."

    def has_permission(self, request, view) -> bool:
        required = self._required(request, view)
        if required is None:
            return False
        capabilities = required if isinstance(required, tuple) else (required,)
        self.message = f"Your role may not {capabilities[0].label}."
        user = request.user
        if user and user.is_authenticated and not role_of_site(user, current_schema_name()):
            return False
        return any(has_capability(user, capability) for capability in capabilities)

    @staticmethod
    def _required(request, view) -> Capability | tuple[Capability, ...] | None:
        required = getattr(view, "capability", None)
        if isinstance(required, Capability | tuple) or required is None:
            return required
        method = "GET" if request.method == "HEAD" else request.method
        return required.get(method)
