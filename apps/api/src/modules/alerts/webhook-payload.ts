import type { WebhookFormat } from '@prisma/client';
import type { Alert, SnapshotFacts } from './alert-rule-kinds';

export interface AlertPayload {
  event: string;
  title: string;
  lines: string[];
  details: unknown;
  rule: { id: number; kind: string; threshold: number | null } | null;
  feed: { id: number; name: string } | null;
  snapshot: { id: number; takenAt: string; previousId: number | null } | null;
  dashboardPath: string | null;
}

export function alertPayload(alert: Alert, rule: AlertPayload['rule'], facts: SnapshotFacts | null): AlertPayload {
  return {
    event: alert.event,
    title: alert.title,
    lines: alert.lines,
    details: alert.details,
    rule,
    feed: facts ? { id: facts.snapshot.feedId, name: facts.snapshot.feedName } : null,
    snapshot: facts
      ? { id: facts.snapshot.id, takenAt: facts.snapshot.takenAt.toISOString(), previousId: facts.previous?.id ?? null }
      : null,
    dashboardPath: facts ? `/snapshots/${facts.snapshot.id}` : null,
  };
}

const MAX_LINES = 20;
/** Slack reads &, < and > as markup. */
const escape = (text: string) => text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/** The body as the webhook's format wants it: dgascope's JSON, or a Slack incoming-webhook message. */
export function formatBody(format: WebhookFormat, payload: AlertPayload): unknown {
  if (format === 'JSON') return payload;
  const shown = payload.lines.slice(0, MAX_LINES).map((l) => `• ${escape(l)}`);
  if (payload.lines.length > MAX_LINES) shown.push(`… and ${payload.lines.length - MAX_LINES} more`);
  const text = `*${escape(payload.title)}*\n${shown.join('\n')}`;
  return {
    text: `${payload.title}\n${payload.lines.slice(0, MAX_LINES).join('\n')}`,
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}
