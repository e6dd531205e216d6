"""The Data API stand-in refuses what Aurora refuses and answers in the Data API's shapes: the
aurora path's tests are only worth what it checks, so these pin down the checks."""

from __future__ import annotations

from typing import Any

import aurora_data_api
import boto3
import pytest
from botocore.exceptions import ClientError
from sqlalchemy import make_url

from tests.support.data_api import CLUSTER_ARN, SECRET_ARN
from tests.support.data_api_server import DataApiServer

UUID = "0b6e3f47-1c2d-4e5f-8a9b-0c1d2e3f4a5b"


@pytest.fixture
def call(data_api: DataApiServer, postgres_url: str) -> Any:
    client = boto3.client("rds-data")
    database = make_url(postgres_url).database

    def execute(sql: str, **parameters: dict[str, Any]) -> dict[str, Any]:
        named = [{"name": name, **value} for name, value in parameters.items()]
        extra = {"parameters": named} if named else {}
        return client.execute_statement(
            resourceArn=CLUSTER_ARN,
            secretArn=SECRET_ARN,
            database=database,
            sql=sql,
            includeResultMetadata=True,
            **extra,
        )

    return execute


def error_of(call: Any, sql: str, **parameters: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(ClientError) as raised:
        call(sql, **parameters)
    return raised.value.response["Error"]


def test_results_come_back_as_the_data_api_types_them(call: Any) -> None:
    answer = call(
        "SELECT 7::int2 AS small, 2.5::float8 AS real, true AS yes, 12.50::numeric(12,2) AS money,"
        f" '{UUID}'::uuid AS id, '2026-03-10 09:00:00-07'::timestamptz AS at,"
        " '2026-03-10'::date AS day, '{\"a\": [1]}'::jsonb AS doc, '\\x00ff'::bytea AS raw,"
        " ARRAY[1, 2] AS numbers, ARRAY['x', NULL] AS words, NULL::text AS nothing"
    )

    [record] = answer["records"]
    assert record == [
        {"longValue": 7},
        {"doubleValue": 2.5},
        {"booleanValue": True},
        {"stringValue": "12.50"},
        {"stringValue": UUID},
        {"stringValue": "2026-03-10 16:00:00.000000"},  # in UTC, whatever the session's zone
        {"stringValue": "2026-03-10"},
        {"stringValue": '{"a": [1]}'},
        {"blobValue": b"\x00\xff"},
        {"arrayValue": {"longValues": [1, 2]}},
        {"arrayValue": {"stringValues": ["x", None]}},
        {"isNull": True},
    ]
    assert [(c["name"], c["typeName"]) for c in answer["columnMetadata"]][3:6] == [
        ("money", "numeric"),
        ("id", "uuid"),
        ("at", "timestamptz"),
    ]
    assert answer["numberOfRecordsUpdated"] == 0


def test_a_string_parameter_is_a_varchar_so_a_uuid_needs_a_cast_or_a_type_hint(
    call: Any,
) -> None:
    as_string = {"value": {"stringValue": UUID}}

    refused = error_of(call, "SELECT :id = gen_random_uuid()", id=as_string)
    hinted = call("SELECT :id = gen_random_uuid()", id={**as_string, "typeHint": "UUID"})
    cast = call("SELECT CAST(:id AS uuid) = gen_random_uuid()", id=as_string)

    assert refused["Code"] == "BadRequestException"
    assert "operator does not exist: character varying = uuid" in refused["Message"]
    assert refused["Message"].endswith("; SQLState: 42883")
    assert hinted["records"] == cast["records"] == [[{"booleanValue": False}]]


def test_a_timestamp_type_hint_takes_the_documented_format_only(call: Any) -> None:
    def at(text: str) -> dict[str, Any]:
        return {"value": {"stringValue": text}, "typeHint": "TIMESTAMP"}

    taken = call("SELECT :at", at=at("2026-03-10 16:00:00.123"))
    refused = error_of(call, "SELECT :at", at=at("2026-03-10 16:00:00+00:00"))

    assert taken["records"] == [[{"stringValue": "2026-03-10 16:00:00.123000"}]]
    assert refused["Code"] == "BadRequestException"


def test_placeholders_are_only_found_outside_literals_comments_and_casts(call: Any) -> None:
    answer = call(
        'SELECT \':x %\', $$:x$$, $q$ :x $q$, "n:x" FROM (SELECT :x::int AS "n:x") AS t -- :x\n',
        x={"value": {"longValue": 5}},
    )

    assert answer["records"] == [
        [{"stringValue": ":x %"}, {"stringValue": ":x"}, {"stringValue": " :x "}, {"longValue": 5}]
    ]


def test_errors_are_worded_so_the_driver_finds_their_class(
    data_api: DataApiServer, postgres_url: str
) -> None:
    connection = aurora_data_api.connect(
        aurora_cluster_arn=CLUSTER_ARN,
        secret_arn=SECRET_ARN,
        database=make_url(postgres_url).database,
    )
    cursor = connection.cursor()

    with pytest.raises(aurora_data_api.DatabaseError) as syntax:
        cursor.execute("SELEKT 1")
    connection.rollback()
    cursor = connection.cursor()
    cursor.execute("CREATE TEMPORARY TABLE t (k int PRIMARY KEY)")
    cursor.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(aurora_data_api.DatabaseError) as unique:
        cursor.execute("INSERT INTO t VALUES (1)")
    connection.rollback()

    # A message with a Position gets its PostgreSQL class; one without (most constraint
    # violations) stays a plain DatabaseError, with the SQLState in its text, as on AWS.
    assert type(syntax.value).__name__ == "ER_SYNTAX_ERR"
    assert type(unique.value) is aurora_data_api.DatabaseError
    assert 'unique constraint "t_pkey"' in str(unique.value)
    assert "SQLState: 23505" in str(unique.value)
    assert data_api.open_transactions == 0


def test_an_unknown_transaction_is_not_found(data_api: DataApiServer) -> None:
    client = boto3.client("rds-data")

    with pytest.raises(ClientError) as raised:
        client.commit_transaction(
            resourceArn=CLUSTER_ARN, secretArn=SECRET_ARN, transactionId="no-such-transaction"
        )

    assert raised.value.response["Error"]["Code"] == "NotFoundException"
    assert raised.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_a_batch_in_a_transaction_counts_its_rows_and_a_rollback_undoes_it(
    data_api: DataApiServer, postgres_url: str
) -> None:
    client = boto3.client("rds-data")
    where = {"resourceArn": CLUSTER_ARN, "secretArn": SECRET_ARN}
    database = make_url(postgres_url).database
    begun = client.begin_transaction(**where, database=database)["transactionId"]
    inside = {**where, "database": database, "transactionId": begun}

    client.execute_statement(**inside, sql="CREATE TABLE batch_probe (k int, v text)")
    batch = client.batch_execute_statement(
        **inside,
        sql="INSERT INTO batch_probe VALUES (:k, :v)",
        parameterSets=[
            [{"name": "k", "value": {"longValue": k}}, {"name": "v", "value": {"isNull": True}}]
            for k in range(3)
        ],
    )
    changed = client.execute_statement(
        **inside, sql="UPDATE batch_probe SET v = 'x' WHERE k > 0 RETURNING k"
    )
    rolled_back = client.rollback_transaction(**where, transactionId=begun)
    after = client.execute_statement(
        **where,
        database=database,
        sql="SELECT count(*) FROM pg_tables WHERE tablename = 'batch_probe'",
    )

    assert batch["updateResults"] == [{"generatedFields": []}] * 3
    assert changed["numberOfRecordsUpdated"] == 2
    assert sorted(r[0]["longValue"] for r in changed["records"]) == [1, 2]
    assert rolled_back["transactionStatus"] == "Rollback Complete"
    assert after["records"] == [[{"longValue": 0}]]
    assert data_api.open_transactions == 0
