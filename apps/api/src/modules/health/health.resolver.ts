import { Field, ObjectType, Query, Resolver } from 'type-graphql';
import { HealthService } from './health.service';

@ObjectType()
class Health {
  @Field(() => Boolean)
  database!: boolean;

  @Field(() => Boolean)
  redis!: boolean;
}

@Resolver()
export class HealthResolver {
  constructor(private readonly service: HealthService) {}

  @Query(() => Health, { description: 'Whether PostgreSQL and Redis answer.' })
  health() {
    return this.service.check();
  }
}
