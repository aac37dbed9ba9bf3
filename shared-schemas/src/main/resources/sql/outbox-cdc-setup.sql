-- One-time setup on the outbox database for the bronze job (run by the DBA; idempotent).
-- The Django app owns stop_events; this adds nothing to the table itself.

-- The publication the bronze job's replication slot reads (the job never creates it:
-- publication.autocreate.mode=disabled, so the job's user needs no ownership of the table).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_publication WHERE pubname = 'deep_storage_bronze') THEN
    CREATE PUBLICATION deep_storage_bronze FOR TABLE stop_events;
  END IF;
END
$$;
