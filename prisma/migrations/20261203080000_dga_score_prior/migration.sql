-- Which prior over the DGA families a model's DGA score assumes (training | uniform-families).
-- Models calibrated before the choice existed scored 1 − P(benign): the training prior.
ALTER TABLE "models" ADD COLUMN "dga_score_prior" TEXT;
UPDATE "models" SET "dga_score_prior" = 'training' WHERE "target_benign_fpr" IS NOT NULL;
