"""Database credentials from AWS Secrets Manager, for the tools that need a direct connection
(migrations); the running service reaches Aurora through the Data API by ARN instead."""

from __future__ import annotations

import json

import boto3
from sqlalchemy import URL


def database_url_from_secret(secret_arn: str, region: str, database: str) -> str:
    """A psycopg URL built from an RDS secret (`username`, `password`, `host`, `port`)."""
    client = boto3.client("secretsmanager", region_name=region)
    secret = json.loads(client.get_secret_value(SecretId=secret_arn)["SecretString"])
    url = URL.create(
        "postgresql+psycopg",
        username=secret["username"],
        password=secret["password"],
        host=secret["host"],
        port=int(secret.get("port", 5432)),
        database=database or secret.get("dbname"),
    )
    return url.render_as_string(hide_password=False)
