import { DeliveryState, WebhookFormat } from '@prisma/client';
import { GraphQLJSON } from 'graphql-scalars';
import { IsOptional, Length } from 'class-validator';
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';

registerEnumType(WebhookFormat, { name: 'WebhookFormat', description: 'JSON: dgascope’s body; SLACK: a Slack incoming-webhook message.' });
registerEnumType(DeliveryState, { name: 'DeliveryState' });

@ObjectType({ description: 'Where alerts go: a signed POST (X-Dgascope-Signature: sha256=HMAC of "<timestamp>.<body>").' })
export class Webhook {
  @Field(() => Int) id!: number;
  @Field(() => String) name!: string;
  @Field(() => String) url!: string;
  @Field(() => WebhookFormat) format!: WebhookFormat;
  @Field(() => Boolean) enabled!: boolean;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'A new webhook, with its signing secret: shown this once.' })
export class CreatedWebhook {
  @Field(() => Webhook) webhook!: Webhook;
  @Field(() => String) secret!: string;
}

@ObjectType({ description: 'When to call a webhook after a new DGA snapshot.' })
export class AlertRule {
  @Field(() => Int) id!: number;
  @Field(() => Int) webhookId!: number;
  @Field(() => String, { description: 'NEW_FAMILY | SHARE_CHANGE (see alertRuleKinds).' }) kind!: string;
  @Field(() => Float, { nullable: true }) threshold!: number | null;
  @Field(() => Int, { nullable: true, description: 'Only this feed; null: every DGA feed.' }) feedId!: number | null;
  @Field(() => Date) createdAt!: Date;
}

@ObjectType({ description: 'A kind of alert rule.' })
export class AlertRuleKindInfo {
  @Field(() => String) kind!: string;
  @Field(() => String) description!: string;
  @Field(() => String, { nullable: true, description: 'What the threshold means; null: the rule takes none.' }) threshold!: string | null;
}

@ObjectType({ description: 'One alert sent (or being sent) to a webhook.' })
export class WebhookDeliveryEntry {
  @Field(() => String) id!: string;
  @Field(() => String) event!: string;
  @Field(() => Int, { nullable: true }) snapshotId!: number | null;
  @Field(() => DeliveryState) state!: DeliveryState;
  @Field(() => Int) attempts!: number;
  @Field(() => Int, { nullable: true }) responseStatus!: number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => GraphQLJSON, { description: 'The body as sent.' }) payload!: unknown;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) deliveredAt!: Date | null;
}

@InputType()
export class CreateWebhookInput {
  @Field(() => String) @Length(1, 100) name!: string;
  @Field(() => String) @Length(1, 4096) url!: string;
  @Field(() => WebhookFormat, { nullable: true }) format?: WebhookFormat | null;
  @Field(() => String, { nullable: true, description: 'Default: 32 random bytes.' })
  @IsOptional()
  @Length(16, 200)
  secret?: string | null;
}

@InputType()
export class UpdateWebhookInput {
  @Field(() => String, { nullable: true }) @IsOptional() @Length(1, 4096) url?: string | null;
  @Field(() => WebhookFormat, { nullable: true }) format?: WebhookFormat | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
}

@InputType()
export class AddAlertRuleInput {
  @Field(() => Int) webhookId!: number;
  @Field(() => String) @Length(1, 50) kind!: string;
  @Field(() => Float, { nullable: true }) threshold?: number | null;
  @Field(() => String, { nullable: true, description: 'Only snapshots of this feed (by name).' }) feed?: string | null;
}
