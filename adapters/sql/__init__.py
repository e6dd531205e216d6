"""SQL persistence: Core tables and repositories, one code for psycopg and the Data API."""
