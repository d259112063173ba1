-- CreateEnum
CREATE TYPE "JobKind" AS ENUM ('TRAINING', 'CLASSIFICATION');

-- CreateEnum
CREATE TYPE "JobState" AS ENUM ('QUEUED', 'ACTIVE', 'COMPLETED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "ModelStatus" AS ENUM ('TRAINING', 'READY', 'FAILED', 'PROMOTED', 'RETIRED');

-- CreateTable
CREATE TABLE "jobs" (
    "id" TEXT NOT NULL,
    "kind" "JobKind" NOT NULL,
    "state" "JobState" NOT NULL DEFAULT 'QUEUED',
    "input" JSONB NOT NULL,
    "progress" JSONB,
    "result" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "cancel_requested" BOOLEAN NOT NULL DEFAULT false,
    "backend" TEXT,
    "model_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "models" (
    "id" SERIAL NOT NULL,
    "status" "ModelStatus" NOT NULL DEFAULT 'TRAINING',
    "training_job_id" TEXT NOT NULL,
    "parent_id" INTEGER,
    "architecture" JSONB NOT NULL,
    "config" JSONB NOT NULL,
    "labels" TEXT[],
    "snapshot_ids" INTEGER[],
    "data_fingerprint" TEXT,
    "training_samples" INTEGER,
    "backend" TEXT,
    "metrics" JSONB,
    "open_set_threshold" DOUBLE PRECISION,
    "artifact" BYTEA,
    "artifact_bytes" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ready_at" TIMESTAMPTZ(3),
    "promoted_at" TIMESTAMPTZ(3),
    "retired_at" TIMESTAMPTZ(3),

    CONSTRAINT "models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "predictions" (
    "id" BIGSERIAL NOT NULL,
    "job_id" TEXT NOT NULL,
    "model_id" INTEGER NOT NULL,
    "domain" TEXT NOT NULL,
    "family" TEXT NOT NULL,
    "probability" REAL NOT NULL,
    "dga_score" REAL NOT NULL,
    "uncertain" BOOLEAN NOT NULL,
    "top3" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "predictions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "jobs_kind_created_at_idx" ON "jobs"("kind", "created_at");

-- CreateIndex
CREATE INDEX "jobs_state_idx" ON "jobs"("state");

-- CreateIndex
CREATE UNIQUE INDEX "models_training_job_id_key" ON "models"("training_job_id");

-- CreateIndex
CREATE INDEX "models_status_idx" ON "models"("status");

-- CreateIndex
CREATE INDEX "predictions_domain_idx" ON "predictions"("domain");

-- CreateIndex
CREATE INDEX "predictions_model_id_idx" ON "predictions"("model_id");

-- CreateIndex
CREATE INDEX "predictions_family_probability_idx" ON "predictions"("family", "probability");

-- CreateIndex
CREATE UNIQUE INDEX "predictions_job_id_domain_key" ON "predictions"("job_id", "domain");

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE SET NULL ON UPDATE CASCADE;

