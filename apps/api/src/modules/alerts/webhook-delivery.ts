import type { PrismaClient } from '@prisma/client';
import { postToUrl, type UrlPolicy } from '../ingestion/url-source';
import { sign, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './webhook-signature';

export interface DeliveryAttempt {
  deliveryId: string;
  attempt: number;
  /** No retry follows if this attempt fails. */
  final: boolean;
}

/**
 * Sends one delivery (the worker's webhook-delivery queue): a signed JSON POST under the URL
 * rules of ingestion (internal addresses only when INGEST_URL_ALLOW allows them). A 2xx answer
 * delivers it; anything else is recorded on the delivery and thrown, for the queue to retry
 * with backoff, until the last attempt marks it failed.
 */
export class WebhookDelivery {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly policy: UrlPolicy,
    private readonly observe: (outcome: 'delivered' | 'retrying' | 'failed') => void = () => undefined,
  ) {}

  async send(attempt: DeliveryAttempt): Promise<void> {
    const delivery = await this.prisma.webhookDelivery.findUnique({
      where: { id: BigInt(attempt.deliveryId) },
      include: { webhook: true },
    });
    if (!delivery || delivery.state === 'DELIVERED') return;
    const body = Buffer.from(JSON.stringify(delivery.payload));
    const timestamp = Math.floor(Date.now() / 1000);
    let status: number | null = null;
    let error: string | null = null;
    try {
      const answer = await postToUrl(
        delivery.webhook.url,
        body,
        {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: sign(delivery.webhook.secret, timestamp, body),
          [TIMESTAMP_HEADER]: String(timestamp),
          'x-dgascope-event': delivery.event,
          'x-dgascope-delivery': delivery.id.toString(),
        },
        this.policy,
      );
      status = answer.status;
      if (status < 200 || status > 299) error = `HTTP ${status}${answer.text ? `: ${answer.text.slice(0, 200)}` : ''}`;
    } catch (err) {
      error = (err as Error).message;
    }
    const delivered = error == null;
    await this.prisma.webhookDelivery.update({
      where: { id: delivery.id },
      data: {
        attempts: attempt.attempt,
        responseStatus: status,
        error: delivered ? null : `${error} (attempt ${attempt.attempt}${attempt.final ? ', no retry left' : ', will retry'})`,
        state: delivered ? 'DELIVERED' : attempt.final ? 'FAILED' : 'PENDING',
        ...(delivered ? { deliveredAt: new Date() } : {}),
      },
    });
    this.observe(delivered ? 'delivered' : attempt.final ? 'failed' : 'retrying');
    if (!delivered) throw new Error(`webhook delivery ${delivery.id}: ${error}`);
  }
}
