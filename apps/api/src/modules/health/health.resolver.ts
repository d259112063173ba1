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

  // A round trip to PostgreSQL and one to Redis: priced so that aliases cannot flood both.
  @Query(() => Health, { description: 'Whether PostgreSQL and Redis answer.', complexity: 100 })
  health() {
    return this.service.check();
  }
}
