-- A cluster job (order expiry, flash-sale settlement, place attachment) runs
-- on the one server holding its lease; the holder renews it on every run and
-- another server takes over once it lapses (internal/jobs).
CREATE TABLE job_leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
