import type { Webhook as WebhookRow } from '@prisma/client';
import { Arg, Args, Authorized, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/pagination';
import { ALERT_RULE_KINDS } from './alert-rule-kinds';
import {
  AddAlertRuleInput,
  AlertRule,
  AlertRuleKindInfo,
  CreatedWebhook,
  CreateWebhookInput,
  UpdateWebhookInput,
  Webhook,
  WebhookDeliveryEntry,
} from './alerts.types';
import { WebhooksService } from './webhooks.service';

const DeliveryConnection = Connection(WebhookDeliveryEntry, 'WebhookDelivery');

const entry = <T extends { id: bigint }>(d: T) => ({ ...d, id: d.id.toString() });

@Resolver(() => Webhook)
export class AlertsResolver {
  constructor(private readonly service: WebhooksService) {}

  @Authorized('ADMIN')
  @Query(() => [Webhook], { description: 'Webhooks that alerts go to (admin key required: they name internal URLs).' })
  webhooks() {
    return this.service.list();
  }

  @Query(() => [AlertRuleKindInfo])
  alertRuleKinds(): AlertRuleKindInfo[] {
    return Object.values(ALERT_RULE_KINDS).map((k) => ({
      kind: k.kind,
      description: k.description,
      threshold: k.threshold?.meaning ?? null,
    }));
  }

  @Mutation(() => CreatedWebhook)
  async createWebhook(@Arg('input', () => CreateWebhookInput) input: CreateWebhookInput): Promise<CreatedWebhook> {
    const webhook = await this.service.create(input);
    return { webhook, secret: webhook.secret };
  }

  @Mutation(() => Webhook)
  updateWebhook(@Arg('id', () => Int) id: number, @Arg('input', () => UpdateWebhookInput) input: UpdateWebhookInput) {
    return this.service.update(id, input);
  }

  @Mutation(() => Webhook, { description: 'Deletes the webhook, its rules and its delivery log.' })
  deleteWebhook(@Arg('id', () => Int) id: number) {
    return this.service.delete(id);
  }

  @Mutation(() => AlertRule)
  addAlertRule(@Arg('input', () => AddAlertRuleInput) input: AddAlertRuleInput) {
    return this.service.addRule(input);
  }

  @Mutation(() => AlertRule)
  removeAlertRule(@Arg('id', () => Int) id: number) {
    return this.service.removeRule(id);
  }

  @Mutation(() => WebhookDeliveryEntry, { description: 'Send a test alert now.' })
  async testWebhook(@Arg('id', () => Int) id: number) {
    return entry(await this.service.test(id));
  }

  @FieldResolver(() => [AlertRule])
  rules(@Root() webhook: Webhook) {
    return this.service.rules(webhook.id);
  }

  @FieldResolver(() => DeliveryConnection, { description: 'The delivery log, newest first.' })
  async deliveries(@Root() webhook: Webhook, @Args(() => PageArgs) { first, after }: PageArgs) {
    const page = await this.service.deliveries((webhook as unknown as WebhookRow).id, first, after);
    return { ...page, nodes: page.nodes.map(entry), edges: page.edges.map((e) => ({ cursor: e.cursor, node: entry(e.node) })) };
  }
}
