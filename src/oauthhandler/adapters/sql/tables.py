"""SQLModel tables: the schema Alembic migrates. Secrets live only in *_enc columns, as AES-GCM ciphertext."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on every database (SQLite stores naive UTC text)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _time(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(default=None, sa_column=sa.Column(UtcDateTime(), nullable=nullable, index=index))


def _account_fk() -> Any:
    return Field(sa_column=sa.Column(sa.String(32), sa.ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False))


class AccountRow(SQLModel, table=True):
    __tablename__ = "accounts"
    id: str = Field(primary_key=True, max_length=32)
    email: str = Field(max_length=254, unique=True)
    password_hash: str = Field(max_length=255)
    email_verified: bool = False
    created_at: datetime = _time()


class ApiKeyRow(SQLModel, table=True):
    __tablename__ = "api_keys"
    __table_args__ = (sa.Index("ix_api_keys_account", "account_id"),)
    id: str = Field(primary_key=True, max_length=32)
    account_id: str = _account_fk()
    name: str = Field(max_length=100)
    key_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = _time()
    revoked_at: datetime | None = _time(nullable=True)


class EmailVerificationRow(SQLModel, table=True):
    __tablename__ = "email_verifications"
    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = _account_fk()
    expires_at: datetime = _time()
    used_at: datetime | None = _time(nullable=True)


class ProviderRow(SQLModel, table=True):
    __tablename__ = "providers"
    account_id: str = Field(
        sa_column=sa.Column(sa.String(32), sa.ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    )
    name: str = Field(primary_key=True, max_length=64)
    client_id: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    client_secret_enc: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    scopes: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    redirect_url: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    custom_spec: dict[str, Any] | None = Field(default=None, sa_column=sa.Column(sa.JSON, nullable=True))
    api_key_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    api_secret_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    created_at: datetime = _time()
    updated_at: datetime = _time()


class ConnectionRow(SQLModel, table=True):
    __tablename__ = "connections"
    __table_args__ = (sa.UniqueConstraint("account_id", "provider", "end_user_id", name="uq_connections_end_user"),)
    id: str = Field(primary_key=True, max_length=32)
    account_id: str = _account_fk()
    provider: str = Field(max_length=64)
    end_user_id: str = Field(max_length=255)
    status: str = Field(max_length=32)
    tokens_enc: str = Field(sa_column=sa.Column(sa.Text, nullable=False))
    scopes: list[str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    expires_at: datetime | None = _time(nullable=True)
    connection_config: dict[str, str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    created_at: datetime = _time()
    updated_at: datetime = _time()
    last_refreshed_at: datetime | None = _time(nullable=True)
    lease_owner: str | None = Field(default=None, max_length=32, nullable=True)
    lease_expires_at: datetime | None = _time(nullable=True)


class AttemptRow(SQLModel, table=True):
    __tablename__ = "authorization_attempts"
    __table_args__ = (sa.Index("ix_attempts_connect_expires_at", "connect_expires_at"),)
    id: str = Field(primary_key=True, max_length=32)
    account_id: str = _account_fk()
    provider: str = Field(max_length=64)
    end_user_id: str = Field(max_length=255)
    redirect_url: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    connection_config: dict[str, str] = Field(sa_column=sa.Column(sa.JSON, nullable=False))
    connect_token_hash: str = Field(max_length=64, unique=True)
    connect_expires_at: datetime = _time()
    connect_used_at: datetime | None = _time(nullable=True)
    state_hash: str | None = Field(default=None, max_length=64, unique=True, nullable=True)
    state_expires_at: datetime | None = _time(nullable=True)
    state_used_at: datetime | None = _time(nullable=True)
    code_verifier_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    browser_hash: str | None = Field(default=None, max_length=64, nullable=True)


metadata = SQLModel.metadata
accounts = AccountRow.__table__  # type: ignore[attr-defined]
api_keys = ApiKeyRow.__table__  # type: ignore[attr-defined]
email_verifications = EmailVerificationRow.__table__  # type: ignore[attr-defined]
providers = ProviderRow.__table__  # type: ignore[attr-defined]
connections = ConnectionRow.__table__  # type: ignore[attr-defined]
attempts = AttemptRow.__table__  # type: ignore[attr-defined]

# Ciphertext columns, for key rotation: (table, primary key columns, encrypted columns).
ENCRYPTED_COLUMNS: list[tuple[sa.Table, tuple[str, ...], tuple[str, ...]]] = [
    (providers, ("account_id", "name"), ("client_secret_enc", "api_key_enc", "api_secret_enc")),
    (connections, ("id",), ("tokens_enc",)),
    (attempts, ("id",), ("code_verifier_enc",)),
]
