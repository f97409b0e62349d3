-- The job that forgets old idempotency keys deletes by age.
CREATE INDEX order_requests_created ON order_requests(created_at);
