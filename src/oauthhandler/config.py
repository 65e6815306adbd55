"""Settings: environment variables with the OAUTHHANDLER_ prefix, also read from .env. Built once, passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="OAUTHHANDLER_", env_file=".env", extra="ignore")

    data_dir: Path = Path("./data")
    database_url: str = ""
    public_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str | None = None
    encryption_keys: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "OAuthHandler <no-reply@localhost>"
    smtp_starttls: bool = False
    smtp_tls: bool = False
    providers_file: Path | None = None
    refresh_margin_seconds: int = Field(default=300, ge=0)
    connect_ttl_seconds: int = Field(default=600, ge=1)
    provider_timeout_seconds: float = Field(default=10.0, gt=0)

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.data_dir}/oauthhandler.db"
        self.public_url = self.public_url.rstrip("/")
        return self

    @property
    def secure_cookies(self) -> bool:
        return self.public_url.startswith("https://")
