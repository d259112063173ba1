-- memberships becomes a table partitioned by snapshot: ingestion loads each snapshot's
-- listings into a fresh table without indexes, indexes it once, and attaches it as the
-- snapshot's partition (apps/api/src/modules/ingestion/snapshot-merge.ts). Same name, columns,
-- primary key and domain index as before, so every query reads it unchanged.
ALTER TABLE "memberships" RENAME TO "memberships_unpartitioned";
ALTER INDEX "memberships_pkey" RENAME TO "memberships_unpartitioned_pkey";
ALTER INDEX "memberships_domain_id_idx" RENAME TO "memberships_unpartitioned_domain_id_idx";

CREATE TABLE "memberships" (
    "snapshot_id" INTEGER NOT NULL,
    "family_id" INTEGER NOT NULL,
    "domain_id" INTEGER NOT NULL,
    "line" INTEGER NOT NULL,
    "rank" INTEGER,
    "description" TEXT,
    "listed_on" DATE,
    "manual_url" TEXT,

    CONSTRAINT "memberships_pkey" PRIMARY KEY ("snapshot_id","family_id","domain_id")
) PARTITION BY LIST ("snapshot_id");

CREATE INDEX "memberships_domain_id_idx" ON "memberships"("domain_id");

-- Existing listings move into one partition per snapshot, named as ingestion names them.
DO $$
DECLARE
  sid int;
BEGIN
  FOR sid IN SELECT DISTINCT snapshot_id FROM "memberships_unpartitioned" ORDER BY 1 LOOP
    EXECUTE format('CREATE TABLE memberships_%s (LIKE "memberships" INCLUDING DEFAULTS)', sid);
    EXECUTE format('INSERT INTO memberships_%s SELECT * FROM "memberships_unpartitioned" WHERE snapshot_id = %s ORDER BY family_id, domain_id', sid, sid);
    EXECUTE format('ALTER TABLE memberships_%s ADD CONSTRAINT memberships_%s_pkey PRIMARY KEY (snapshot_id, family_id, domain_id)', sid, sid);
    EXECUTE format('CREATE INDEX memberships_%s_domain_id_idx ON memberships_%s (domain_id)', sid, sid);
    EXECUTE format('ALTER TABLE "memberships" ATTACH PARTITION memberships_%s FOR VALUES IN (%s)', sid, sid);
  END LOOP;
END $$;

DROP TABLE "memberships_unpartitioned";
