import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-dgascope-signature';
export const TIMESTAMP_HEADER = 'x-dgascope-timestamp';

/**
 * The signature of a delivery: HMAC-SHA256, keyed with the webhook's secret, of
 * "<timestamp>.<body>" (the timestamp in Unix seconds, also sent in X-Dgascope-Timestamp, so
 * that a receiver can refuse replays of old deliveries). Sent as "sha256=<hex>".
 */
export function sign(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** What a receiver does (the README shows the same in a few lines). */
export function verify(secret: string, timestamp: string | number, body: string | Buffer, signature: string): boolean {
  const expected = Buffer.from(sign(secret, Number(timestamp), body));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
