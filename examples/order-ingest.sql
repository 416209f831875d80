-- Schema for examples/order-ingest.json: one row per order, upserted by
-- order id, so posting the same orders again updates them in place.
--   psql "$DATABASE_URL" -f examples/order-ingest.sql
CREATE TABLE IF NOT EXISTS orders (
    order_id    text PRIMARY KEY,
    created_at  timestamptz NOT NULL,
    status      text NOT NULL,
    channel     text,
    currency    text NOT NULL,
    customer_id text NOT NULL,
    country     text,
    line_count  integer NOT NULL,
    total       numeric(12, 2) NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_customer ON orders (customer_id);
