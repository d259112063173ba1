-- Jobs: who asked for them (issue 14). What the access layer knows of the caller: the API key's
-- name, "bootstrap (ADMIN_API_KEY)", or "cli:<os user>", as the audit log names actors. There is
-- no user identity behind a key. Null: started by dgascope itself, or before this column existed.
ALTER TABLE "jobs" ADD COLUMN "requested_by" TEXT;

-- Every name a bulk-classification job could not classify, with its line and why (issue 14: an
-- invalid name in a list job disappeared, only the first 20 were kept in the job's result).
-- Keyed by (job, line), so a retried job records each one once.
CREATE TABLE "job_invalid_names" (
    "job_id" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "reason" TEXT NOT NULL,

    CONSTRAINT "job_invalid_names_pkey" PRIMARY KEY ("job_id","line")
);

ALTER TABLE "job_invalid_names" ADD CONSTRAINT "job_invalid_names_job_id_fkey" FOREIGN KEY ("job_id") REFERENCES "jobs"("id") ON DELETE CASCADE ON UPDATE CASCADE;
