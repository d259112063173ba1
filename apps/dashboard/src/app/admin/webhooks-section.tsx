'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { gql } from '@/lib/client-graphql';
import { describeError, graphql, type ResultOf } from '@/lib/graphql';
import type { AdminAction } from './admin-action';

const WEBHOOKS = graphql(`
  query AdminWebhooks {
    webhooks {
      id
      name
      url
      format
      enabled
      rules {
        id
        kind
        threshold
        feedId
      }
      deliveries(first: 10) {
        totalCount
        nodes {
          id
          event
          snapshotId
          state
          attempts
          responseStatus
          error
          createdAt
        }
      }
    }
    alertRuleKinds {
      kind
      description
      threshold
    }
  }
`);
const CREATE = graphql(`
  mutation CreateWebhook($input: CreateWebhookInput!) {
    createWebhook(input: $input) {
      secret
      webhook {
        id
        name
      }
    }
  }
`);
const UPDATE = graphql(`
  mutation UpdateWebhook($id: Int!, $input: UpdateWebhookInput!) {
    updateWebhook(id: $id, input: $input) {
      id
    }
  }
`);
const DELETE = graphql(`
  mutation DeleteWebhook($id: Int!) {
    deleteWebhook(id: $id) {
      id
    }
  }
`);
const TEST = graphql(`
  mutation TestWebhook($id: Int!) {
    testWebhook(id: $id) {
      id
    }
  }
`);
const ADD_RULE = graphql(`
  mutation AddAlertRule($input: AddAlertRuleInput!) {
    addAlertRule(input: $input) {
      id
    }
  }
`);
const REMOVE_RULE = graphql(`
  mutation RemoveAlertRule($id: Int!) {
    removeAlertRule(id: $id) {
      id
    }
  }
`);

type Data = ResultOf<typeof WEBHOOKS>;
const when = (iso: string) => new Date(iso).toISOString().slice(0, 19).replace('T', ' ');

/** Alerts: webhooks (signed POSTs, JSON or Slack), their rules, a test delivery and the delivery log. Needs an admin key. */
export function WebhooksSection({ admin, keySaved }: { admin: AdminAction; keySaved: boolean }) {
  const [data, setData] = useState<Data | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ name: string; secret: string } | null>(null);
  const load = useCallback(
    () =>
      gql(WEBHOOKS, {}, true).then(
        (d) => {
          setData(d);
          setError(null);
        },
        (err: unknown) => setError(describeError(err)),
      ),
    [],
  );
  useEffect(() => {
    if (keySaved) void load();
    else setData(null);
  }, [keySaved, load]);

  const act = async (label: string, run: () => Promise<unknown>) => {
    await admin(label, run, []);
    await load();
  };

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const input = {
      name: String(f.get('name')),
      url: String(f.get('url')),
      format: f.get('format') === 'SLACK' ? ('SLACK' as const) : ('JSON' as const),
    };
    await act(`Webhook "${input.name}" created.`, async () => {
      const r = await gql(CREATE, { input }, true);
      setSecret({ name: r.createWebhook.webhook.name, secret: r.createWebhook.secret });
    });
  }

  async function addRule(e: FormEvent<HTMLFormElement>, webhookId: number) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const threshold = String(f.get('threshold') ?? '').trim();
    const feed = String(f.get('feed') ?? '').trim();
    const input = {
      webhookId,
      kind: String(f.get('kind')),
      ...(threshold ? { threshold: Number(threshold) } : {}),
      ...(feed ? { feed } : {}),
    };
    await act('Alert rule added.', () => gql(ADD_RULE, { input }, true));
  }

  return (
    <section aria-labelledby="webhooks">
      <h2 id="webhooks">Alerts and webhooks</h2>
      {!keySaved ? <p className="muted">Use an admin key to manage webhooks.</p> : null}
      {error ? <p className="error-text">{error}</p> : null}
      {secret ? (
        <p className="notice" data-testid="webhook-secret">
          Signing secret of “{secret.name}”, shown only now: <span className="mono">{secret.secret}</span>
        </p>
      ) : null}
      {data?.webhooks.map((w) => (
        <article key={w.id} data-webhook={w.name}>
          <h3>
            {w.name}{' '}
            <span className="muted">
              ({w.format.toLowerCase()}
              {w.enabled ? '' : ', disabled'})
            </span>
          </h3>
          <p className="mono muted">{w.url}</p>
          <button
            type="button"
            onClick={() =>
              act(`Webhook "${w.name}" ${w.enabled ? 'disabled' : 'enabled'}.`, () =>
                gql(UPDATE, { id: w.id, input: { enabled: !w.enabled } }, true),
              )
            }
          >
            {w.enabled ? 'Disable' : 'Enable'}
          </button>
          <button type="button" onClick={() => act(`Test alert queued for "${w.name}".`, () => gql(TEST, { id: w.id }, true))}>
            Send test
          </button>
          <button type="button" onClick={() => act(`Webhook "${w.name}" deleted.`, () => gql(DELETE, { id: w.id }, true))}>
            Delete
          </button>
          <ul>
            {w.rules.map((r) => (
              <li key={r.id}>
                {r.kind}
                {r.threshold != null ? ` > ${r.threshold}` : ''}
                {r.feedId != null ? ` (feed #${r.feedId})` : ' (every DGA feed)'}{' '}
                <button type="button" onClick={() => act('Alert rule removed.', () => gql(REMOVE_RULE, { id: r.id }, true))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          <form onSubmit={(e) => void addRule(e, w.id)} className="grid-form" aria-label={`add a rule to ${w.name}`}>
            <label>
              Rule
              <select name="kind">
                {data.alertRuleKinds.map((k) => (
                  <option key={k.kind} value={k.kind} title={k.description}>
                    {k.kind}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Threshold (if the rule takes one)
              <input name="threshold" type="number" step="any" />
            </label>
            <label>
              Only feed (name)
              <input name="feed" />
            </label>
            <button type="submit">Add rule</button>
          </form>
          <table data-testid={`deliveries-${w.name}`}>
            <caption>Deliveries ({w.deliveries.totalCount ?? 0}), newest first</caption>
            <tbody>
              {w.deliveries.nodes.map((d) => (
                <tr key={d.id} data-state={d.state}>
                  <td>{when(d.createdAt)}</td>
                  <td>{d.event}</td>
                  <td>{d.snapshotId ? <a href={`/snapshots/${d.snapshotId}`}>#{d.snapshotId}</a> : ''}</td>
                  <td>{d.state.toLowerCase()}</td>
                  <td>
                    {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                    {d.responseStatus ? ` · HTTP ${d.responseStatus}` : ''}
                  </td>
                  <td className="error-text">{d.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </article>
      ))}
      {data ? (
        <dl className="muted">
          {data.alertRuleKinds.map((k) => (
            <div key={k.kind}>
              <dt className="mono">{k.kind}</dt>
              <dd>
                {k.description}
                {k.threshold ? ` Threshold: ${k.threshold}.` : ''}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
      <form onSubmit={create} className="grid-form" aria-label="create a webhook">
        <label>
          Name
          <input name="name" required />
        </label>
        <label>
          URL
          <input name="url" type="url" required placeholder="https://hooks.example.org/…" />
        </label>
        <label>
          Body
          <select name="format" defaultValue="JSON">
            <option value="JSON">JSON (dgascope)</option>
            <option value="SLACK">Slack-compatible</option>
          </select>
        </label>
        <button type="submit">Create webhook</button>
      </form>
    </section>
  );
}
