-- How a model's DGA threshold was read from the benign validation scores (quantile | tail).
-- Models calibrated before the choice existed used the empirical quantile.
ALTER TABLE "models" ADD COLUMN "dga_threshold_method" TEXT;
UPDATE "models" SET "dga_threshold_method" = 'quantile' WHERE "target_benign_fpr" IS NOT NULL;
