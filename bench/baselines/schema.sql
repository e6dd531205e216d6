-- The two baselines' tiny schema: a capacity row per (tier, date) to lock and decrement, and
-- the orders it sold. psql variables: first_date (YYYY-MM-DD), ndates, capacity.
\set ON_ERROR_STOP on
DROP TABLE IF EXISTS orders, capacity;

CREATE TABLE capacity (
    tier       text    NOT NULL,
    visit_date date    NOT NULL,
    initial    integer NOT NULL,  -- kept so the check needs no side table
    remaining  integer NOT NULL,  -- deliberately no CHECK: an oversell must be visible
    PRIMARY KEY (tier, visit_date)
);

CREATE TABLE orders (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ticket     text        NOT NULL,
    tier       text        NOT NULL,
    visit_date date        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_tier_date ON orders (tier, visit_date);

INSERT INTO capacity (tier, visit_date, initial, remaining)
SELECT tier, DATE :'first_date' + d, :capacity, :capacity
FROM generate_series(0, :ndates - 1) AS d, unnest(ARRAY['standard', 'non-stop']) AS tier;

VACUUM ANALYZE capacity;
VACUUM ANALYZE orders;
