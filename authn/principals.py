"""What an authenticated API request carries: the token's facts and who it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from authn.models import User


@dataclass(frozen=True)
class AccessToken:
    """A validated access token. `request.auth` holds one; the raw JWT is not kept."""

    claims: dict[str, Any]
    scopes: frozenset[str]
    subject: str
    client_id: str
    is_machine: bool


class MachineClient:
    """A Client Credentials caller (`sub` = `<client_id>@clients`): not a person, owns nothing."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_person = False  # authn.models.User.is_person is True
    pk = None
    id = None

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id

    def __str__(self) -> str:
        return f"client {self.client_id}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MachineClient) and other.client_id == self.client_id

    def __hash__(self) -> int:
        return hash(("MachineClient", self.client_id))


# Who an API request (or an admin action) acts as. Code that must tell the two apart
# asks `principal.is_person`, never whether it has a primary key.
Principal: TypeAlias = "User | MachineClient"
