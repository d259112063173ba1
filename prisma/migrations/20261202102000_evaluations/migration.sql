-- Evaluations of a model on a labelled snapshot (issue 14): a job kind, the table, and the
-- family → class map of each model's label policy (to tell known families from unseen ones).

-- AlterEnum
ALTER TYPE "JobKind" ADD VALUE 'EVALUATION';

-- AlterTable
ALTER TABLE "models" ADD COLUMN "family_labels" JSONB;

-- CreateTable
CREATE TABLE "evaluations" (
    "id" SERIAL NOT NULL,
    "model_id" INTEGER NOT NULL,
    "snapshot_id" INTEGER NOT NULL,
    "job_id" TEXT NOT NULL,
    "domains" INTEGER NOT NULL,
    "trained_on_domains" INTEGER NOT NULL,
    "fresh_domains" INTEGER NOT NULL,
    "unknown_to_model_domains" INTEGER NOT NULL,
    "invalid_domains" INTEGER NOT NULL,
    "macro_f1" DOUBLE PRECISION,
    "flagged_rate" DOUBLE PRECISION,
    "benign_flagged_rate" DOUBLE PRECISION,
    "unknown_family_rate" DOUBLE PRECISION,
    "report" JSONB NOT NULL,
    "seconds" DOUBLE PRECISION NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "evaluations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "evaluations_snapshot_id_idx" ON "evaluations"("snapshot_id");

-- CreateIndex
CREATE UNIQUE INDEX "evaluations_model_id_snapshot_id_key" ON "evaluations"("model_id", "snapshot_id");

-- AddForeignKey
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "evaluations" ADD CONSTRAINT "evaluations_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshots"("id") ON DELETE CASCADE ON UPDATE CASCADE;
