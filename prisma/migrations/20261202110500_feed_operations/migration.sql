-- CreateEnum
CREATE TYPE "PullOutcome" AS ENUM ('NEW_SNAPSHOT', 'UNCHANGED', 'NOT_MODIFIED', 'FAILED');

-- CreateEnum
CREATE TYPE "WebhookFormat" AS ENUM ('JSON', 'SLACK');

-- CreateEnum
CREATE TYPE "DeliveryState" AS ENUM ('PENDING', 'DELIVERED', 'FAILED');

-- AlterEnum

ALTER TYPE "JobKind" ADD VALUE 'FEED_PULL';
ALTER TYPE "JobKind" ADD VALUE 'RETENTION';

-- AlterTable
ALTER TABLE "feeds" ADD COLUMN     "last_pull_at" TIMESTAMPTZ(3),
ADD COLUMN     "last_pull_error" TEXT,
ADD COLUMN     "last_pull_outcome" "PullOutcome",
ADD COLUMN     "last_pull_snapshot_id" INTEGER,
ADD COLUMN     "pull_cron" TEXT,
ADD COLUMN     "pull_etag" TEXT,
ADD COLUMN     "pull_every_seconds" INTEGER,
ADD COLUMN     "pull_format" TEXT,
ADD COLUMN     "pull_last_modified" TEXT,
ADD COLUMN     "pull_paused" BOOLEAN NOT NULL DEFAULT false;

-- AlterTable
ALTER TABLE "jobs" ADD COLUMN     "predictions_removed_at" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "webhooks" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "secret" TEXT NOT NULL,
    "format" "WebhookFormat" NOT NULL DEFAULT 'JSON',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhooks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "alert_rules" (
    "id" SERIAL NOT NULL,
    "webhook_id" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "threshold" DOUBLE PRECISION,
    "feed_id" INTEGER,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "alert_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" BIGSERIAL NOT NULL,
    "webhook_id" INTEGER NOT NULL,
    "key" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "snapshot_id" INTEGER,
    "payload" JSONB NOT NULL,
    "state" "DeliveryState" NOT NULL DEFAULT 'PENDING',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "response_status" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "delivered_at" TIMESTAMPTZ(3),

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "webhooks_name_key" ON "webhooks"("name");

-- CreateIndex
CREATE INDEX "alert_rules_webhook_id_idx" ON "alert_rules"("webhook_id");

-- CreateIndex
CREATE UNIQUE INDEX "webhook_deliveries_key_key" ON "webhook_deliveries"("key");

-- CreateIndex
CREATE INDEX "webhook_deliveries_webhook_id_id_idx" ON "webhook_deliveries"("webhook_id", "id" DESC);

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "alert_rules" ADD CONSTRAINT "alert_rules_feed_id_fkey" FOREIGN KEY ("feed_id") REFERENCES "feeds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_webhook_id_fkey" FOREIGN KEY ("webhook_id") REFERENCES "webhooks"("id") ON DELETE CASCADE ON UPDATE CASCADE;

