"""The Data API dialect (sqlalchemy-aurora-data-api), with the two column types it gets wrong
for this schema fixed. Registered as `postgresql+auroradataapi_tap`; everything else is the
library's dialect and the aurora-data-api driver unchanged.

- Uuid: the driver reads a uuid back as a string (it converts only the types it has a
  typeHint for); parse it. On the way in the driver sends a UUID as a string, a varchar to the
  Data API, so the parameter is cast.
- timestamptz: the library's DateTime drops the UTC offset and truncates to milliseconds on
  the way in, and reads an instant back without a time zone. The Data API returns timestamptz
  in UTC: send the full ISO text with its offset, cast to timestamptz, read it back as UTC.

Casts are written `CAST(:x AS type)`, as the library writes its own, rather than PostgreSQL's
`:x::type`, which leans on the Data API's placeholder parser telling `::` from `:name`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import TIMESTAMP, cast
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.sql import sqltypes
from sqlalchemy_aurora_data_api import (  # type: ignore[import-untyped]
    AuroraPostgresDataAPIDialect,
)

NAME = "postgresql.auroradataapi_tap"
DRIVER = "postgresql+auroradataapi_tap"


class DataApiUuid(sqltypes.Uuid[Any]):
    cache_ok = True

    def bind_expression(self, bindvalue: Any) -> Any:
        return cast(bindvalue, UUID)

    def result_processor(self, dialect: Any, coltype: object) -> Callable[[Any], Any]:
        if not self.as_uuid:
            return lambda value: value
        return lambda value: uuid.UUID(value) if isinstance(value, str) else value


class DataApiDateTime(sqltypes.DateTime):
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Callable[[Any], Any]:
        return lambda value: value.isoformat(sep=" ") if isinstance(value, datetime) else value

    def bind_expression(self, bindvalue: Any) -> Any:
        return cast(bindvalue, TIMESTAMP(timezone=self.timezone))

    def result_processor(self, dialect: Any, coltype: object) -> Callable[[Any], Any]:
        def process(value: Any) -> Any:
            if isinstance(value, str):
                value = datetime.fromisoformat(value)
            if self.timezone and isinstance(value, datetime) and value.tzinfo is None:
                value = value.replace(tzinfo=UTC)
            return value

        return process


class DataApiDialect(AuroraPostgresDataAPIDialect):  # type: ignore[misc]
    colspecs: ClassVar[dict[Any, Any]] = {
        **AuroraPostgresDataAPIDialect.colspecs,
        sqltypes.Uuid: DataApiUuid,
        UUID: DataApiUuid,
        sqltypes.DateTime: DataApiDateTime,
    }
    supports_statement_cache = True
    # Read by SqlSession: this driver loses the error class of a failed commit, so deferred
    # constraints are checked by a statement just before it.
    checks_deferred_before_commit = True
