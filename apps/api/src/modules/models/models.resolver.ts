import { ModelStatus } from '@prisma/client';
import type { Evaluation } from '@dgascope/ml';
import { Arg, Args, ArgsType, Field, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination';
import { toMetrics } from './model.mapper';
import { Model, ModelComparison, ModelMetrics } from './model.type';
import { ModelsService } from './models.service';

const ModelConnection = Connection(Model, 'Model');

@ArgsType()
class ModelsArgs extends PageArgs {
  @Field(() => ModelStatus, { nullable: true }) status?: ModelStatus | null;
}

@Resolver(() => Model)
export class ModelsResolver {
  constructor(private readonly service: ModelsService) {}

  @Query(() => ModelConnection, { description: 'The model registry, newest first.' })
  models(@Args(() => ModelsArgs) { status, first, after }: ModelsArgs) {
    return this.service.list(status, first, after);
  }

  @Query(() => Model)
  model(@Arg('id', () => Int) id: number) {
    return this.service.get(id);
  }

  @Query(() => ModelComparison, { description: 'Model b against model a, family by family.' })
  compareModels(@Arg('a', () => Int) a: number, @Arg('b', () => Int) b: number) {
    return this.service.compare(a, b);
  }

  @Mutation(() => Model, {
    description: 'Make this the promoted model (the API swaps to it without a restart). Promoting an older model is the rollback.',
  })
  promoteModel(@Arg('id', () => Int) id: number) {
    return this.service.promote(id);
  }

  @Mutation(() => Model)
  retireModel(@Arg('id', () => Int) id: number) {
    return this.service.retire(id);
  }

  @FieldResolver(() => ModelMetrics, { nullable: true, description: 'Evaluation on the held-out test split.' })
  metrics(@Root() model: Model): ModelMetrics | null {
    return toMetrics(model.metricsJson as Evaluation | null);
  }
}
