import { ApiKeyRole } from '@prisma/client';
import { GraphQLJSON } from 'graphql-scalars';
import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

registerEnumType(ApiKeyRole, { name: 'Role', description: 'VIEWER reads; ADMIN also runs every mutation.' });

@ObjectType({ description: 'An API key (never its secret).' })
export class ApiKeyInfo {
  @Field(() => Int) id!: number;
  @Field(() => String) name!: string;
  @Field(() => ApiKeyRole) role!: ApiKeyRole;
  @Field(() => String, { description: 'The first characters of the key.' }) prefix!: string;
  @Field(() => String) createdBy!: string;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true, description: 'Last request with this key (to the minute).' }) lastUsedAt!: Date | null;
  @Field(() => Date, { nullable: true }) revokedAt!: Date | null;
}

@ObjectType({ description: 'The caller of this request.' })
export class Caller {
  @Field(() => String) name!: string;
  @Field(() => ApiKeyRole) role!: ApiKeyRole;
}

@ObjectType({ description: 'One admin action.' })
export class AuditEntryInfo {
  @Field(() => String) id!: string;
  @Field(() => Date) at!: Date;
  @Field(() => String) actor!: string;
  @Field(() => Int, { nullable: true }) apiKeyId!: number | null;
  @Field(() => String, { description: 'graphql | cli' }) via!: string;
  @Field(() => String, { description: 'The mutation or CLI command.' }) action!: string;
  @Field(() => GraphQLJSON, { description: 'Arguments, summarised (long lists cut, uploads named, secrets redacted).' })
  arguments!: unknown;
  @Field(() => String, { description: '"started" while running, then "ok" or the error code the caller got.' }) outcome!: string;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int, { nullable: true }) durationMs!: number | null;
}
