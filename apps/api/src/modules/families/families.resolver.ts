import { Arg, Args, ArgsType, Field, Mutation, Query, Resolver } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination';
import { FamiliesService } from './families.service';
import { Family } from './family.type';

const FamilyConnection = Connection(Family, 'Family');

@ArgsType()
class FamiliesArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the name.' })
  search?: string | null;
}

@Resolver(() => Family)
export class FamiliesResolver {
  constructor(private readonly service: FamiliesService) {}

  @Query(() => FamilyConnection, { description: 'Families by name.' })
  families(@Args(() => FamiliesArgs) { search, first, after }: FamiliesArgs) {
    return this.service.list(search, first, after);
  }

  @Mutation(() => Family, { description: 'Make a raw label resolve to a family in future ingestions.' })
  addFamilyAlias(@Arg('family', () => String) family: string, @Arg('alias', () => String) alias: string) {
    return this.service.addAlias(family, alias);
  }
}
