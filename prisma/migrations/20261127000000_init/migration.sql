-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "FeedKind" AS ENUM ('DGA', 'BENIGN', 'LABELLED');

-- CreateTable
CREATE TABLE "feeds" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "FeedKind" NOT NULL,
    "url" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "feeds_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "snapshots" (
    "id" SERIAL NOT NULL,
    "feed_id" INTEGER NOT NULL,
    "taken_at" TIMESTAMPTZ(3) NOT NULL,
    "file_name" TEXT NOT NULL,
    "source_url" TEXT,
    "format" TEXT NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "byte_size" BIGINT NOT NULL,
    "rows_read" INTEGER NOT NULL,
    "rows_accepted" INTEGER NOT NULL,
    "rows_rejected" INTEGER NOT NULL,
    "rows_duplicate" INTEGER NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "families" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "families_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "domains" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "domains_pkey" PRIMARY KEY ("id")
);

-- CreateTable
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
);

-- CreateTable
CREATE TABLE "snapshot_family_counts" (
    "snapshot_id" INTEGER NOT NULL,
    "family_id" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "snapshot_family_counts_pkey" PRIMARY KEY ("snapshot_id","family_id")
);

-- CreateTable
CREATE TABLE "rejections" (
    "id" SERIAL NOT NULL,
    "snapshot_id" INTEGER NOT NULL,
    "line" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "raw" TEXT NOT NULL,

    CONSTRAINT "rejections_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "feeds_name_key" ON "feeds"("name");

-- CreateIndex
CREATE INDEX "snapshots_taken_at_idx" ON "snapshots"("taken_at");

-- CreateIndex
CREATE UNIQUE INDEX "snapshots_feed_id_sha256_key" ON "snapshots"("feed_id", "sha256");

-- CreateIndex
CREATE UNIQUE INDEX "families_name_key" ON "families"("name");

-- CreateIndex
CREATE INDEX "families_aliases_idx" ON "families" USING GIN ("aliases");

-- CreateIndex
CREATE UNIQUE INDEX "domains_name_key" ON "domains"("name");

-- CreateIndex
CREATE INDEX "memberships_domain_id_idx" ON "memberships"("domain_id");

-- CreateIndex
CREATE INDEX "snapshot_family_counts_family_id_idx" ON "snapshot_family_counts"("family_id");

-- CreateIndex
CREATE INDEX "rejections_snapshot_id_line_idx" ON "rejections"("snapshot_id", "line");

-- AddForeignKey
ALTER TABLE "snapshots" ADD CONSTRAINT "snapshots_feed_id_fkey" FOREIGN KEY ("feed_id") REFERENCES "feeds"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshot_family_counts" ADD CONSTRAINT "snapshot_family_counts_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "snapshot_family_counts" ADD CONSTRAINT "snapshot_family_counts_family_id_fkey" FOREIGN KEY ("family_id") REFERENCES "families"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "rejections" ADD CONSTRAINT "rejections_snapshot_id_fkey" FOREIGN KEY ("snapshot_id") REFERENCES "snapshots"("id") ON DELETE CASCADE ON UPDATE CASCADE;

