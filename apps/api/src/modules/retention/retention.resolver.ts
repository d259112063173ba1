import { Arg, Field, Float, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import { Job } from '../jobs/job.type';
import { DeletionService } from './deletion.service';
import { RetentionService } from './retention.service';

@ObjectType({ description: 'What a deletion removed.' })
class DeletionResult {
  @Field(() => Int) id!: number;
  @Field(() => Int, { description: 'Predictions removed with it (withPredictions).' }) predictionsDeleted!: number;
  @Field(() => Int, { description: 'Bulk jobs whose predictions went (their rows and summaries stay).' }) jobsPruned!: number;
}

@ObjectType({ description: 'What the retention job keeps (RETENTION_* settings).' })
class RetentionSettings {
  @Field(() => Float, { nullable: true, description: 'Predictions of bulk jobs finished longer ago are removed; null: no age limit.' })
  maxAgeDays!: number | null;
  @Field(() => Int, { nullable: true, description: 'Predictions of a snapshot’s older bulk jobs beyond this many are removed.' })
  keepJobsPerSnapshot!: number | null;
  @Field(() => String, { nullable: true, description: 'When it runs (cron, UTC); null: only when asked for.' }) cron!: string | null;
  @Field(() => Date, { nullable: true }) nextRunAt!: Date | null;
}

@Resolver()
export class RetentionResolver {
  constructor(
    private readonly deletion: DeletionService,
    private readonly service: RetentionService,
  ) {}

  @Query(() => RetentionSettings)
  async retention(): Promise<RetentionSettings> {
    const { maxAgeDays, keepJobsPerSnapshot } = this.service.policy;
    return { maxAgeDays, keepJobsPerSnapshot, cron: this.service.cron, nextRunAt: await this.service.nextRun().catch(() => null) };
  }

  @Mutation(() => Job, { description: 'Run the retention job now (a RETENTION job).' })
  runRetention() {
    return this.service.runNow();
  }

  @Mutation(() => DeletionResult, {
    description:
      'Delete a snapshot and its listings. Refused while a model was trained on it or a job uses it; refused while bulk jobs hold its predictions unless withPredictions.',
  })
  deleteSnapshot(
    @Arg('id', () => Int) id: number,
    @Arg('withPredictions', () => Boolean, { defaultValue: false }) withPredictions: boolean,
  ) {
    return this.deletion.deleteSnapshot(id, withPredictions);
  }

  @Mutation(() => DeletionResult, {
    description:
      'Delete a model. Refused while promoted, training, warm-started from, or used by a running job; refused while its predictions exist unless withPredictions.',
  })
  deleteModel(@Arg('id', () => Int) id: number, @Arg('withPredictions', () => Boolean, { defaultValue: false }) withPredictions: boolean) {
    return this.deletion.deleteModel(id, withPredictions);
  }
}
