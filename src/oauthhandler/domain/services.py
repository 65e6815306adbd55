"""The ports a use-case reaches for, bundled once by the composition root."""

from __future__ import annotations

from dataclasses import dataclass

from oauthhandler.domain.model import Policy
from oauthhandler.ports.repositories import Database
from oauthhandler.ports.services import Catalog, Clock, Mailer, PasswordHasher, ProviderClient, RefreshLock


@dataclass(frozen=True, slots=True)
class Services:
    db: Database
    clock: Clock
    hasher: PasswordHasher
    mailer: Mailer
    catalog: Catalog
    oauth: ProviderClient
    refresh_lock: RefreshLock
    policy: Policy
