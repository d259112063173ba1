-- One verdict per domain (issue 12): benign, dga + family, or dga + unknown family.

-- Models: preset, loss and the decision rule chosen at training time replace the open-set threshold.
ALTER TABLE "models"
ADD COLUMN "preset" TEXT,
ADD COLUMN "loss" TEXT NOT NULL DEFAULT 'cross-entropy',
ADD COLUMN "dga_threshold" DOUBLE PRECISION,
ADD COLUMN "target_benign_fpr" DOUBLE PRECISION,
ADD COLUMN "calibration_benign" INTEGER,
ADD COLUMN "novelty_method" TEXT,
ADD COLUMN "novelty_threshold" DOUBLE PRECISION,
ADD COLUMN "target_reject_rate" DOUBLE PRECISION;

-- Models trained before verdicts follow the rule @dgascope/ml effectiveDecision() gives their
-- artifacts: DGA from a score of 0.5, and where they had an open-set threshold t, "unknown family"
-- when the max-softmax novelty exceeds 1 - t. No target rates: nothing was calibrated for one.
UPDATE "models"
SET "dga_threshold" = 0.5,
    "novelty_method" = CASE WHEN "open_set_threshold" IS NULL THEN NULL ELSE 'max-softmax' END,
    "novelty_threshold" = 1 - "open_set_threshold"
WHERE "artifact" IS NOT NULL;

ALTER TABLE "models" DROP COLUMN "open_set_threshold";

-- CreateEnum
CREATE TYPE "Verdict" AS ENUM ('BENIGN', 'DGA');

-- Predictions: "uncertain" becomes "unknown_family"; verdict, nearest DGA family and novelty added.
ALTER TABLE "predictions" RENAME COLUMN "uncertain" TO "unknown_family";
ALTER TABLE "predictions"
ADD COLUMN "verdict" "Verdict",
ADD COLUMN "nearest_family" TEXT,
ADD COLUMN "novelty" REAL;

-- Backfill, set-based: the verdict from dga_score >= 0.5 (the old models' rule), the nearest DGA
-- family from top3, and the family and probability the verdict implies (benign: "benign" with
-- P(benign); DGA: the family, or "unknownFamily" where the row was uncertain, with P(family | DGA)).
UPDATE "predictions" p
SET "verdict" = CASE WHEN p."dga_score" >= 0.5 THEN 'DGA'::"Verdict" ELSE 'BENIGN'::"Verdict" END,
    "nearest_family" = (
      SELECT e->>'family' FROM jsonb_array_elements(p."top3") e
      WHERE e->>'family' <> 'benign' ORDER BY (e->>'probability')::float8 DESC LIMIT 1
    );

UPDATE "predictions" p
SET "unknown_family" = p."verdict" = 'DGA' AND (p."unknown_family" OR p."family" = 'uncertain' OR p."nearest_family" IS NULL),
    "family" = CASE
      WHEN p."verdict" = 'BENIGN' THEN 'benign'
      WHEN p."unknown_family" OR p."family" = 'uncertain' OR p."nearest_family" IS NULL THEN 'unknownFamily'
      ELSE p."nearest_family" END,
    "probability" = CASE
      WHEN p."verdict" = 'BENIGN' THEN 1 - p."dga_score"
      ELSE COALESCE((
        SELECT LEAST(1, (e->>'probability')::float8 / NULLIF(p."dga_score", 0)) FROM jsonb_array_elements(p."top3") e
        WHERE e->>'family' = p."nearest_family" LIMIT 1
      ), p."probability") END;

ALTER TABLE "predictions" ALTER COLUMN "verdict" SET NOT NULL;

-- Summaries of completed bulk jobs, recounted by verdict from their (backfilled) predictions.
WITH per_family AS (
  SELECT "job_id", "family", "verdict", count(*) AS n FROM "predictions" GROUP BY "job_id", "family", "verdict"
), per_job AS (
  SELECT "job_id",
         sum(n) AS classified,
         coalesce(sum(n) FILTER (WHERE "verdict" = 'BENIGN'), 0) AS benign,
         coalesce(sum(n) FILTER (WHERE "verdict" = 'DGA'), 0) AS dga,
         coalesce(sum(n) FILTER (WHERE "verdict" = 'DGA' AND "family" <> 'unknownFamily'), 0) AS known,
         coalesce(sum(n) FILTER (WHERE "family" = 'unknownFamily'), 0) AS unknown,
         jsonb_agg(jsonb_build_object('family', "family", 'count', n) ORDER BY n DESC, "family") AS families
  FROM per_family GROUP BY "job_id"
)
UPDATE "jobs" j
SET "result" = (j."result" - 'uncertain') || jsonb_build_object(
      'classified', s.classified, 'benign', s.benign, 'dga', s.dga, 'dgaKnownFamily', s.known,
      'unknownFamily', s.unknown, 'perFamily', s.families)
FROM per_job s
WHERE j."id" = s."job_id" AND j."kind" = 'CLASSIFICATION' AND j."result" IS NOT NULL;
