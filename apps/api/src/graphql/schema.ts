import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema, type ContainerType } from 'type-graphql';
import { AnalyticsResolver } from '../modules/analytics/analytics.resolver';
import { FamiliesResolver } from '../modules/families/families.resolver';
import { FeedsResolver } from '../modules/feeds/feeds.resolver';
import { HealthResolver } from '../modules/health/health.resolver';
import { IngestionResolver } from '../modules/ingestion/ingestion.resolver';
import { SnapshotsResolver } from '../modules/snapshots/snapshots.resolver';
import { BulkClassificationResolver } from '../modules/classification/bulk-classification.resolver';
import { PredictionsResolver } from '../modules/predictions/predictions.resolver';
import { ServingResolver } from '../modules/serving/serving.resolver';
import { JobsResolver } from '../modules/jobs/jobs.resolver';
import { ModelsResolver } from '../modules/models/models.resolver';
import { TrainingResolver } from '../modules/training/training.resolver';
import { AccessResolver } from '../modules/access/access.resolver';
import { FeedPullsResolver } from '../modules/feed-pulls/feed-pulls.resolver';
import { AlertsResolver } from '../modules/alerts/alerts.resolver';
import { RetentionResolver } from '../modules/retention/retention.resolver';
import { EvaluationsResolver } from '../modules/evaluations/evaluations.resolver';
import { PromotionReviewResolver } from '../modules/evaluations/promotion-review.resolver';
import { applyAccessPolicy, authChecker } from './auth-checker';

export const RESOLVERS = [
  HealthResolver,
  FeedsResolver,
  SnapshotsResolver,
  FamiliesResolver,
  AnalyticsResolver,
  IngestionResolver,
  JobsResolver,
  ModelsResolver,
  TrainingResolver,
  ServingResolver,
  PredictionsResolver,
  BulkClassificationResolver,
  EvaluationsResolver,
  PromotionReviewResolver,
  AccessResolver,
  FeedPullsResolver,
  AlertsResolver,
  RetentionResolver,
] as const;

export async function createSchema(container: ContainerType): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    container,
    authChecker,
    validate: { forbidUnknownValues: false },
  });
  return applyAccessPolicy(schema, container);
}
