"""A stand-in for the RDS Data API (service `rds-data`) over a real PostgreSQL, for tests.

It speaks the REST-JSON operations the `aurora-data-api` driver calls (ExecuteStatement,
BatchExecuteStatement, Begin/Commit/RollbackTransaction) and answers in the Data API's shapes:
its field types, its column metadata and its error messages (`ERROR: ... Position: N;
SQLState: XXXXX`). PostgreSQL does the real work: one connection per transaction id,
autocommit for statements without one.

What it models on purpose, because code that works here must work on Aurora:
- parameters are typed the way the Data API types them: `stringValue` is a varchar (a uuid,
  date or jsonb column refuses it without a cast or a typeHint), `longValue` an int8,
  `doubleValue` a float8, `blobValue` a bytea; `typeHint` casts the string;
- typeHint values must have the documented format (TIMESTAMP is `YYYY-MM-DD HH:MM:SS[.FFF]`,
  no offset), so a driver sending a zone-aware timestamp is caught here, not in production;
- results: numeric, uuid, date, time and json come back as strings, timestamptz in UTC;
- the session time zone is the server's (pass a non-UTC one to catch code that relies on it).

Not modelled: the 1 MB result limit and paging, DatabaseResumingException, timeouts,
`continueAfterTimeout`, exact columnMetadata flags, secret and IAM checks.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg
from psycopg import postgres
from psycopg.adapt import AdaptersMap
from psycopg.conninfo import make_conninfo
from psycopg.pq import TransactionStatus
from psycopg.types.numeric import Int8
from psycopg.types.string import StrDumperVarchar, TextLoader

# -- errors ------------------------------------------------------------------------------------


class DataApiError(Exception):
    """An error answer: its AWS error type, HTTP status and message."""

    def __init__(self, kind: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status


def bad_request(message: str) -> DataApiError:
    return DataApiError("BadRequestException", message)


def database_error(error: psycopg.Error) -> DataApiError:
    """A PostgreSQL error as the Data API words it: the server message as the JDBC driver
    prints it, then `; SQLState: XXXXX`."""
    diag = error.diag
    message = f"ERROR: {diag.message_primary or error}"
    if diag.message_detail:
        message += f"\n  Detail: {diag.message_detail}"
    if diag.message_hint:
        message += f"\n  Hint: {diag.message_hint}"
    if diag.statement_position:
        message += f"\n  Position: {diag.statement_position}"
    return bad_request(f"{message}; SQLState: {diag.sqlstate}")


# -- parameters --------------------------------------------------------------------------------

# What the SQL text can hold besides placeholders; these are copied as they are (with `%`
# doubled for psycopg), so a `:word` inside them is not a parameter.
_SQL = re.compile(
    r"""
      (?P<verbatim>
          (?<!\w)[eE]'(?:[^'\\]|\\.|'')*'                       # E'escape string'
        | '(?:[^']|'')*'                                        # 'string'
        | "(?:[^"]|"")*"                                        # "identifier"
        | \$(?P<tag>(?:[A-Za-z_]\w*)?)\$.*?\$(?P=tag)\$         # $tag$ body $tag$
        | --[^\n]*                                              # -- comment
        | /\*.*?\*/                                             # /* comment */
        | ::                                                    # a cast, not a parameter
      )
    | (?<![:\w]):(?P<name>[A-Za-z_]\w*)                         # :name
    | (?P<percent>%)
    """,
    re.DOTALL | re.VERBOSE,
)
_HINT_CASTS = {
    "DATE": "date",
    "TIME": "time",
    "TIMESTAMP": "timestamp",
    "DECIMAL": "numeric",
    "UUID": "uuid",
    "JSON": "jsonb",
}
# The formats the Data API documents for hinted strings.
_HINT_FORMATS = {
    "DATE": re.compile(r"\d{4}-\d{2}-\d{2}"),
    "TIME": re.compile(r"\d{2}:\d{2}:\d{2}(\.\d{1,6})?"),
    "TIMESTAMP": re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?"),
}


def to_psycopg(sql: str, hints: Mapping[str, str | None]) -> str:
    """`:name` placeholders to psycopg's `%(name)s`, with a cast where the parameter has a
    typeHint."""

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None:
            return match.group(0).replace("%", "%%")
        if name not in hints:
            raise bad_request(f"No value specified for parameter: {name}")
        cast = _HINT_CASTS.get(hints[name] or "")
        return f"CAST(%({name})s AS {cast})" if cast else f"%({name})s"

    return _SQL.sub(replace, sql)


def parameter_value(parameter: Mapping[str, Any]) -> Any:
    """A Data API parameter as the Python value psycopg sends with the Data API's type."""
    value = parameter.get("value", {})
    hint = parameter.get("typeHint")
    if value.get("isNull"):
        return None
    if "stringValue" in value:
        text = value["stringValue"]
        pattern = _HINT_FORMATS.get(hint or "")
        if pattern is not None and not pattern.fullmatch(text):
            raise bad_request(
                f"Invalid {hint} value for parameter {parameter.get('name')}: {text!r}"
            )
        return text  # sent as varchar (see ADAPTERS)
    if "longValue" in value:
        return Int8(value["longValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "booleanValue" in value:
        return bool(value["booleanValue"])
    if "blobValue" in value:
        return base64.b64decode(value["blobValue"])
    if "arrayValue" in value:
        raise bad_request("Array parameters are not supported.")
    raise bad_request(f"Invalid value for parameter {parameter.get('name')}: {value}")


def prepare(
    sql: str, parameters: list[Mapping[str, Any]] | None
) -> tuple[str, dict[str, Any] | None]:
    if parameters is None:
        return sql, None  # no placeholders, no `%` escaping (and several statements may run)
    hints = {p["name"]: p.get("typeHint") for p in parameters}
    return to_psycopg(sql, hints), {p["name"]: parameter_value(p) for p in parameters}


# -- results -----------------------------------------------------------------------------------

# java.sql.Types codes, as the PostgreSQL JDBC driver reports them in columnMetadata.type.
_JDBC_TYPES = {
    "bool": -7,
    "int2": 5,
    "int4": 4,
    "int8": -5,
    "float4": 7,
    "float8": 8,
    "numeric": 2,
    "bpchar": 1,
    "varchar": 12,
    "text": 12,
    "name": 12,
    "date": 91,
    "time": 92,
    "timetz": 92,
    "timestamp": 93,
    "timestamptz": 93,
    "bytea": -2,
}
_JDBC_OTHER, _JDBC_ARRAY = 1111, 2003
# Types the Data API returns as their text (the rest map to long, double, boolean and blob
# values, or are timestamps it formats itself).
_AS_TEXT = (
    "numeric",
    "uuid",
    "json",
    "jsonb",
    "date",
    "time",
    "timetz",
    "interval",
    "inet",
    "cidr",
    "macaddr",
    "money",
    "oid",
    "xml",
    "tsvector",
)


def _adapters() -> AdaptersMap:
    adapters = AdaptersMap(postgres.adapters)
    adapters.register_dumper(str, StrDumperVarchar)  # stringValue is a varchar, not unknown
    for name in _AS_TEXT:
        adapters.register_loader(name, TextLoader)
    return adapters


ADAPTERS = _adapters()


def _timestamp(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def to_field(value: Any) -> dict[str, Any]:
    """A Python value read by psycopg, as a Data API Field."""
    if value is None:
        return {"isNull": True}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"longValue": value}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"blobValue": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, datetime):
        return {"stringValue": _timestamp(value)}
    if isinstance(value, date | time):
        return {"stringValue": value.isoformat()}
    if isinstance(value, list):
        return {"arrayValue": _array(value)}
    return {"stringValue": str(value)}


def _array(values: list[Any]) -> dict[str, Any]:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, list) for v in present):
        return {"arrayValues": [_array(v) for v in values]}
    if present and all(isinstance(v, bool) for v in present):
        return {"booleanValues": values}
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return {"longValues": values}
    if present and all(isinstance(v, float) for v in present):
        return {"doubleValues": values}
    return {"stringValues": [None if v is None else to_field(v).popitem()[1] for v in values]}


def _plain(value: Any) -> Any:
    """A Field's value for formatRecordsAs JSON."""
    field_ = to_field(value)
    return None if "isNull" in field_ else next(iter(field_.values()))


# -- the server --------------------------------------------------------------------------------


_MAX_IDLE = 4  # PostgreSQL connections kept per database between transactions


@dataclass
class _Transaction:
    connection: psycopg.Connection[Any]
    database: str
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class _Outcome:
    rows: list[tuple[Any, ...]] | None
    columns: list[dict[str, Any]]
    rowcount: int


class DataApiServer:
    """Start it with `start()` (or `with`); `endpoint` is then the URL to give boto3."""

    def __init__(
        self,
        conninfo: str,
        cluster_arn: str,
        secret_arn: str,
        timezone: str | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self._conninfo = conninfo
        self.cluster_arn, self.secret_arn = cluster_arn, secret_arn
        self._timezone = timezone
        self._transactions: dict[str, _Transaction] = {}
        self._idle: dict[str, list[psycopg.Connection[Any]]] = {}
        self._type_names: dict[int, str] = {}
        self._lock = threading.Lock()
        self._http = ThreadingHTTPServer((host, 0), _handler_for(self))
        self._http.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> DataApiServer:
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()
        with self._lock:
            open_transactions = list(self._transactions.values())
            self._transactions.clear()
            idle = [c for pool in self._idle.values() for c in pool]
            self._idle.clear()
        for connection in [t.connection for t in open_transactions] + idle:
            connection.close()

    def __enter__(self) -> DataApiServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def open_transactions(self) -> int:
        with self._lock:
            return len(self._transactions)

    # -- operations, by their REST path --------------------------------------------------

    def handle(self, path: str, request: dict[str, Any]) -> dict[str, Any]:
        operations = {
            "/Execute": self.execute_statement,
            "/BatchExecute": self.batch_execute_statement,
            "/BeginTransaction": self.begin_transaction,
            "/CommitTransaction": self.commit_transaction,
            "/RollbackTransaction": self.rollback_transaction,
        }
        if path not in operations:
            raise DataApiError("UnknownOperationException", f"No operation at {path}", 404)
        if request.get("resourceArn") != self.cluster_arn:
            raise bad_request(f"Invalid cluster arn: {request.get('resourceArn')}")
        if request.get("secretArn") != self.secret_arn:
            raise bad_request(f"Invalid secret arn: {request.get('secretArn')}")
        return operations[path](request)

    def begin_transaction(self, request: dict[str, Any]) -> dict[str, Any]:
        database = self._database(request)
        connection = self._checkout(database)
        try:
            connection.execute("BEGIN")
        except psycopg.Error as error:
            self._checkin(database, connection)
            raise database_error(error) from error
        transaction_id = base64.b64encode(secrets.token_bytes(48)).decode()
        with self._lock:
            self._transactions[transaction_id] = _Transaction(connection, database)
        return {"transactionId": transaction_id}

    def commit_transaction(self, request: dict[str, Any]) -> dict[str, Any]:
        self._end(request["transactionId"], "COMMIT")
        return {"transactionStatus": "Transaction Committed"}

    def rollback_transaction(self, request: dict[str, Any]) -> dict[str, Any]:
        self._end(request["transactionId"], "ROLLBACK")
        return {"transactionStatus": "Rollback Complete"}

    def execute_statement(self, request: dict[str, Any]) -> dict[str, Any]:
        sql, values = prepare(request["sql"], request.get("parameters"))
        with self._connection(request) as connection:
            outcome = self._run(connection, sql, values)
        response: dict[str, Any] = {"numberOfRecordsUpdated": outcome.rowcount}
        if outcome.rows is None:
            response["generatedFields"] = []  # never filled for PostgreSQL: use RETURNING
            return response
        if request.get("formatRecordsAs") == "JSON":
            names = [c["name"] for c in outcome.columns]
            records = [dict(zip(names, map(_plain, row), strict=True)) for row in outcome.rows]
            response["formattedRecords"] = json.dumps(records)
            return response
        response["records"] = [[to_field(value) for value in row] for row in outcome.rows]
        if request.get("includeResultMetadata"):
            response["columnMetadata"] = outcome.columns
        return response

    def batch_execute_statement(self, request: dict[str, Any]) -> dict[str, Any]:
        parameter_sets = request.get("parameterSets") or [[]]
        prepared = [prepare(request["sql"], parameters) for parameters in parameter_sets]
        # Without a transaction id the whole batch is one transaction.
        atomic = "transactionId" not in request
        with self._connection(request) as connection:
            if atomic:
                self._run(connection, "BEGIN", None)
            for sql, values in prepared:
                self._run(connection, sql, values)  # on error, _checkin rolls back
            if atomic:
                self._run(connection, "COMMIT", None)
        return {"updateResults": [{"generatedFields": []} for _ in prepared]}

    # -- connections ---------------------------------------------------------------------

    def _database(self, request: Mapping[str, Any]) -> str:
        database = request.get("database")
        if not database:
            raise bad_request("Database name is not specified")
        return str(database)

    @contextmanager
    def _connection(self, request: Mapping[str, Any]) -> Iterator[psycopg.Connection[Any]]:
        transaction_id = request.get("transactionId")
        if transaction_id is None:
            database = self._database(request)
            connection = self._checkout(database)
            try:
                yield connection
            finally:
                self._checkin(database, connection)
            return
        transaction = self._transaction(transaction_id)
        with transaction.lock:
            yield transaction.connection

    def _transaction(self, transaction_id: str, remove: bool = False) -> _Transaction:
        with self._lock:
            found = (
                self._transactions.pop(transaction_id, None)
                if remove
                else self._transactions.get(transaction_id)
            )
        if found is None:
            raise DataApiError(
                "NotFoundException", f"Transaction {transaction_id} is not found", 404
            )
        return found

    def _end(self, transaction_id: str, command: str) -> None:
        transaction = self._transaction(transaction_id, remove=True)
        with transaction.lock:
            try:
                transaction.connection.execute(command)
            except psycopg.Error as error:  # a deferred constraint fails at COMMIT
                raise database_error(error) from error
            finally:
                self._checkin(transaction.database, transaction.connection)

    def _checkout(self, database: str) -> psycopg.Connection[Any]:
        with self._lock:
            pool = self._idle.setdefault(database, [])
            if pool:
                return pool.pop()
        options = f"-c TimeZone={self._timezone}" if self._timezone else None
        try:
            return psycopg.connect(
                make_conninfo(self._conninfo, dbname=database, options=options),
                autocommit=True,
                prepare_threshold=None,
                context=ADAPTERS,
            )
        except psycopg.OperationalError as error:
            raise DataApiError("DatabaseNotFoundException", str(error).strip()) from error

    def _checkin(self, database: str, connection: psycopg.Connection[Any]) -> None:
        """Back to the idle pool, with no session state left over (DISCARD ALL), unless it is
        broken or still inside a transaction."""
        if connection.closed:
            return
        try:
            if connection.info.transaction_status != TransactionStatus.IDLE:
                connection.execute("ROLLBACK")
            connection.execute("DISCARD ALL")
        except psycopg.Error:
            connection.close()
            return
        with self._lock:
            idle = self._idle.setdefault(database, [])
            if len(idle) < _MAX_IDLE:
                idle.append(connection)
                return
        connection.close()

    def _run(
        self, connection: psycopg.Connection[Any], sql: str, values: dict[str, Any] | None
    ) -> _Outcome:
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql, values, prepare=False)
                # Rows changed, for DML with or without RETURNING; a query changes none.
                changed = (
                    0 if (cursor.statusmessage or "").startswith("SELECT") else cursor.rowcount
                )
                if cursor.description is None:
                    return _Outcome(None, [], max(changed, 0))
                rows = cursor.fetchall()
                columns = [self._column(connection, column) for column in cursor.description]
                return _Outcome(rows, columns, max(changed, 0))
        except psycopg.Error as error:
            raise database_error(error) from error

    def _column(self, connection: psycopg.Connection[Any], column: Any) -> dict[str, Any]:
        type_name = self._type_name(connection, column.type_code)
        base = type_name.removeprefix("_")
        jdbc = _JDBC_ARRAY if type_name.startswith("_") else _JDBC_TYPES.get(base, _JDBC_OTHER)
        return {
            "name": column.name,
            "label": column.name,
            "typeName": type_name,
            "type": jdbc,
            "precision": column.precision or column.internal_size or 0,
            "scale": column.scale or 0,
            "nullable": 2,  # unknown, as JDBC says for expressions
            "isSigned": base in ("int2", "int4", "int8", "float4", "float8", "numeric"),
            "arrayBaseColumnType": _JDBC_TYPES.get(base, _JDBC_OTHER) if jdbc == _JDBC_ARRAY else 0,
            "schemaName": "",
            "tableName": "",
        }

    def _type_name(self, connection: psycopg.Connection[Any], oid: int) -> str:
        """pg_type's name (`_int4` for an array of int4), as JDBC reports it."""
        if (builtin := postgres.types.get(oid)) is not None:
            return builtin.name if builtin.oid == oid else f"_{builtin.name}"
        if oid not in self._type_names:
            row = connection.execute(
                "SELECT typname FROM pg_catalog.pg_type WHERE oid = %s", [oid]
            ).fetchone()
            self._type_names[oid] = str(row[0]) if row else "unknown"
        return self._type_names[oid]


def _handler_for(server: DataApiServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as botocore expects
        disable_nagle_algorithm = True  # else each small answer waits ~40 ms for an ACK

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                request = json.loads(self.rfile.read(length) or b"{}")
                self._answer(200, server.handle(self.path, request), None)
            except DataApiError as error:
                self._answer(error.status, {"message": error.message}, error.kind)
            except Exception as error:  # a bug here, not in the client: say so
                message = f"{type(error).__name__}: {error}"
                self._answer(500, {"message": message}, "InternalServerErrorException")

        def _answer(self, status: int, body: dict[str, Any], error_type: str | None) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("x-amzn-RequestId", secrets.token_hex(16))
            if error_type:
                self.send_header("x-amzn-ErrorType", error_type)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: pytest shows failures, not every request

    return Handler
