-- CreateIndex
CREATE INDEX "predictions_verdict_id_idx" ON "predictions"("verdict", "id" DESC);
