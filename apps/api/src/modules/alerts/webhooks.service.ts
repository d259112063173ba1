import { randomBytes, randomUUID } from 'node:crypto';
import { Prisma, type AlertRule, type PrismaClient, type Webhook, type WebhookDelivery, type WebhookFormat } from '@prisma/client';
import { AppError } from '../../errors/app-error';
import { toJson } from '../../jobs/json';
import { decodeCursor, toConnection, type ConnectionValue } from '../../pagination/keyset-page';
import type { JobQueue } from '../../queue/queues';
import { ALERT_RULE_KINDS } from './alert-rule-kinds';
import { alertPayload, formatBody } from './webhook-payload';

function checkUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new AppError('BAD_USER_INPUT', 'WEBHOOK_URL_INVALID', `url: "${value.slice(0, 200)}" is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new AppError('BAD_USER_INPUT', 'WEBHOOK_URL_INVALID', `url: ${url.href.slice(0, 200)}: only http(s) URLs are supported`);
  return url.href;
}

/**
 * Webhooks, their alert rules and their delivery log. A delivery row is written before it is
 * queued (the log shows what is pending), once per key: an alert raised twice is sent once.
 */
export class WebhooksService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly queue: JobQueue,
  ) {}

  list(): Promise<Webhook[]> {
    return this.prisma.webhook.findMany({ orderBy: { name: 'asc' } });
  }

  async get(id: number): Promise<Webhook> {
    const webhook = await this.prisma.webhook.findUnique({ where: { id } });
    if (!webhook) throw new AppError('NOT_FOUND', 'WEBHOOK_NOT_FOUND', `webhook ${id} not found`);
    return webhook;
  }

  /** The secret is generated unless given, and returned only here. */
  async create(input: { name: string; url: string; format?: WebhookFormat | null; secret?: string | null }): Promise<Webhook> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw new AppError('BAD_USER_INPUT', 'WEBHOOK_NAME_INVALID', 'name must be 1 to 100 characters');
    if (input.secret != null && input.secret.length < 16)
      throw new AppError('BAD_USER_INPUT', 'WEBHOOK_SECRET_INVALID', 'secret must be at least 16 characters');
    try {
      return await this.prisma.webhook.create({
        data: {
          name,
          url: checkUrl(input.url),
          format: input.format ?? 'JSON',
          secret: input.secret ?? randomBytes(32).toString('base64url'),
        },
      });
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
        throw new AppError('CONFLICT', 'WEBHOOK_EXISTS', `a webhook named "${name}" exists already`);
      throw err;
    }
  }

  async update(id: number, input: { url?: string | null; format?: WebhookFormat | null; enabled?: boolean | null }): Promise<Webhook> {
    await this.get(id);
    return this.prisma.webhook.update({
      where: { id },
      data: {
        ...(input.url != null ? { url: checkUrl(input.url) } : {}),
        ...(input.format != null ? { format: input.format } : {}),
        ...(input.enabled != null ? { enabled: input.enabled } : {}),
      },
    });
  }

  async delete(id: number): Promise<Webhook> {
    const webhook = await this.get(id);
    await this.prisma.webhook.delete({ where: { id } });
    return webhook;
  }

  rules(webhookId: number): Promise<AlertRule[]> {
    return this.prisma.alertRule.findMany({ where: { webhookId }, orderBy: { id: 'asc' } });
  }

  async addRule(input: { webhookId: number; kind: string; threshold?: number | null; feed?: string | null }): Promise<AlertRule> {
    await this.get(input.webhookId);
    const kind = ALERT_RULE_KINDS[input.kind];
    if (!kind)
      throw new AppError(
        'BAD_USER_INPUT',
        'ALERT_RULE_KIND',
        `kind: "${input.kind}" is not one of ${Object.keys(ALERT_RULE_KINDS).join(', ')}`,
      );
    const threshold = input.threshold ?? null;
    if (kind.threshold && (threshold == null || threshold < kind.threshold.min || threshold > kind.threshold.max))
      throw new AppError(
        'BAD_USER_INPUT',
        'ALERT_RULE_THRESHOLD',
        `threshold: ${kind.kind} needs a threshold from ${kind.threshold.min} to ${kind.threshold.max} (${kind.threshold.meaning})`,
      );
    if (!kind.threshold && threshold != null)
      throw new AppError('BAD_USER_INPUT', 'ALERT_RULE_THRESHOLD', `threshold: ${kind.kind} takes no threshold`);
    let feedId: number | null = null;
    if (input.feed) {
      const feed = await this.prisma.feed.findUnique({ where: { name: input.feed } });
      if (!feed) throw new AppError('NOT_FOUND', 'FEED_NOT_FOUND', `feed "${input.feed}" not found`);
      feedId = feed.id;
    }
    return this.prisma.alertRule.create({ data: { webhookId: input.webhookId, kind: kind.kind, threshold, feedId } });
  }

  async removeRule(id: number): Promise<AlertRule> {
    const rule = await this.prisma.alertRule.findUnique({ where: { id } });
    if (!rule) throw new AppError('NOT_FOUND', 'ALERT_RULE_NOT_FOUND', `alert rule ${id} not found`);
    await this.prisma.alertRule.delete({ where: { id } });
    return rule;
  }

  /** Newest first. */
  async deliveries(webhookId: number, first: number, after?: string | null): Promise<ConnectionValue<WebhookDelivery>> {
    const cursor = decodeCursor<[string]>(after, ['string']);
    const rows = await this.prisma.webhookDelivery.findMany({
      where: { webhookId, ...(cursor ? { id: { lt: BigInt(cursor[0]) } } : {}) },
      orderBy: { id: 'desc' },
      take: first + 1,
    });
    return toConnection(rows, first, (d) => [d.id.toString()], await this.prisma.webhookDelivery.count({ where: { webhookId } }));
  }

  /** Writes the delivery (once per key) and queues it; false when that key was delivered or queued already. */
  async enqueue(webhook: Webhook, key: string, event: string, snapshotId: number | null, body: unknown): Promise<boolean> {
    const created = await this.prisma.webhookDelivery.createManyAndReturn({
      data: [{ webhookId: webhook.id, key, event, snapshotId, payload: toJson(body) }],
      skipDuplicates: true,
    });
    const delivery = created[0];
    if (!delivery) return false;
    try {
      await this.queue.add('webhook-delivery', { deliveryId: delivery.id.toString() }, `delivery-${delivery.id}`);
    } catch (err) {
      await this.prisma.webhookDelivery.update({
        where: { id: delivery.id },
        data: { state: 'FAILED', error: `could not be queued (is Redis up?): ${(err as Error).message}` },
      });
      throw err;
    }
    return true;
  }

  /** A test alert, to check the receiver and its signature check. */
  async test(id: number): Promise<WebhookDelivery> {
    const webhook = await this.get(id);
    const payload = alertPayload(
      { event: 'test', title: `dgascope test alert for webhook "${webhook.name}"`, lines: ['This is a test delivery.'], details: {} },
      null,
      null,
    );
    const key = `test:${randomUUID()}`;
    await this.enqueue(webhook, key, 'test', null, formatBody(webhook.format, payload));
    return this.prisma.webhookDelivery.findUniqueOrThrow({ where: { key } });
  }
}
