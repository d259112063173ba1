import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType({ description: 'A malware family, or the benign class. Raw labels resolve to it by name or alias.' })
export class Family {
  @Field(() => Int)
  id!: number;

  @Field(() => String)
  name!: string;

  @Field(() => [String])
  aliases!: string[];
}
