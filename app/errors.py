"""Domain errors: raised by services, turned into `{"detail": ...}` with a 4xx by the app."""

from __future__ import annotations

from pydantic import BaseModel


class DomainError(Exception):
    status = 400

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class Invalid(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The action is not allowed in the item's current state."""

    status = 409


class Unauthorized(DomainError):
    status = 401


class Forbidden(DomainError):
    status = 403


class ErrorOut(BaseModel):
    """Every error the server answers, whatever its status: one readable sentence."""

    detail: str
