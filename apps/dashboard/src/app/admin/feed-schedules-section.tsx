'use client';

import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { gql } from '@/lib/client-graphql';
import { describeError, graphql, type ResultOf } from '@/lib/graphql';
import type { AdminAction } from './admin-action';

const FEEDS = graphql(`
  query AdminFeeds {
    feeds(first: 200) {
      nodes {
        id
        name
        kind
        url
        schedule {
          cron
          everySeconds
          paused
          format
          nextPullAt
        }
        lastPull {
          at
          outcome
          snapshotId
          error
        }
      }
    }
  }
`);
const SET_SCHEDULE = graphql(`
  mutation SetFeedSchedule($input: SetFeedScheduleInput!) {
    setFeedSchedule(input: $input) {
      id
    }
  }
`);
const PAUSE = graphql(`
  mutation PauseFeedSchedule($feed: String!) {
    pauseFeedSchedule(feed: $feed) {
      id
    }
  }
`);
const RESUME = graphql(`
  mutation ResumeFeedSchedule($feed: String!) {
    resumeFeedSchedule(feed: $feed) {
      id
    }
  }
`);
const REMOVE = graphql(`
  mutation RemoveFeedSchedule($feed: String!) {
    removeFeedSchedule(feed: $feed) {
      id
    }
  }
`);
const PULL_NOW = graphql(`
  mutation PullFeedNow($feed: String!) {
    pullFeedNow(feed: $feed) {
      id
    }
  }
`);

type FeedRow = ResultOf<typeof FEEDS>['feeds']['nodes'][number];
const when = (iso: string | null | undefined) => (iso ? new Date(iso).toISOString().slice(0, 19).replace('T', ' ') : '–');
const FEED_KINDS = ['DGA', 'BENIGN', 'LABELLED'] as const;
const FORMATS = ['bambenek', 'rank-csv', 'plain-list', 'labelled-csv', 'netlab-tsv'];

/** Scheduled feed pulls: set, pause, resume or remove a feed's schedule, pull now, and see how the last pull went. */
export function FeedSchedulesSection({ admin }: { admin: AdminAction }) {
  const [feeds, setFeeds] = useState<FeedRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(
    () =>
      gql(FEEDS, {}).then(
        (d) => {
          setFeeds(d.feeds.nodes);
          setError(null);
        },
        (err: unknown) => setError(describeError(err)),
      ),
    [],
  );
  useEffect(() => void load(), [load]);

  const act = async (label: string, run: () => Promise<unknown>, jobs = false) => {
    await admin(label, run, jobs ? ['jobs'] : []);
    await load();
  };

  async function setSchedule(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const every = String(f.get('every') ?? '').trim();
    const cron = String(f.get('cron') ?? '').trim();
    const input = {
      feed: String(f.get('feed') ?? '').trim(),
      ...(String(f.get('url') ?? '').trim() ? { url: String(f.get('url')).trim() } : {}),
      ...(cron ? { cron } : {}),
      ...(every ? { everySeconds: Number(every) } : {}),
      ...(f.get('format') ? { format: String(f.get('format')) } : {}),
      ...(f.get('kind') ? { kind: f.get('kind') as (typeof FEED_KINDS)[number] } : {}),
    };
    await act(`Schedule of "${input.feed}" saved.`, () => gql(SET_SCHEDULE, { input }, true));
  }

  return (
    <section aria-labelledby="feed-schedules">
      <h2 id="feed-schedules">Feed schedules</h2>
      {error ? <p className="error-text">{error}</p> : null}
      <table data-testid="feed-schedules">
        <thead>
          <tr>
            <th>feed</th>
            <th>schedule</th>
            <th>next pull</th>
            <th>last pull</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {feeds.map((feed) => (
            <tr key={feed.id} data-feed={feed.name}>
              <td>
                {feed.name} <span className="muted">({feed.kind.toLowerCase()})</span>
                {feed.url ? <div className="mono muted">{feed.url}</div> : null}
              </td>
              <td data-testid={`schedule-${feed.name}`}>
                {feed.schedule
                  ? `${feed.schedule.cron ? `cron ${feed.schedule.cron} (UTC)` : `every ${feed.schedule.everySeconds} s`}${feed.schedule.paused ? ' · paused' : ''}`
                  : 'not scheduled'}
              </td>
              <td>{when(feed.schedule?.nextPullAt)}</td>
              <td data-testid={`last-pull-${feed.name}`}>
                {feed.lastPull ? (
                  <>
                    {when(feed.lastPull.at)} · {feed.lastPull.outcome.toLowerCase().replaceAll('_', ' ')}
                    {feed.lastPull.snapshotId ? (
                      <>
                        {' '}
                        · <a href={`/snapshots/${feed.lastPull.snapshotId}`}>#{feed.lastPull.snapshotId}</a>
                      </>
                    ) : null}
                    {feed.lastPull.error ? <div className="error-text">{feed.lastPull.error}</div> : null}
                  </>
                ) : (
                  '–'
                )}
              </td>
              <td>
                {feed.schedule && !feed.schedule.paused ? (
                  <button type="button" onClick={() => act(`"${feed.name}" paused.`, () => gql(PAUSE, { feed: feed.name }, true))}>
                    Pause
                  </button>
                ) : null}
                {feed.schedule?.paused ? (
                  <button type="button" onClick={() => act(`"${feed.name}" resumed.`, () => gql(RESUME, { feed: feed.name }, true))}>
                    Resume
                  </button>
                ) : null}
                {feed.url ? (
                  <button
                    type="button"
                    onClick={() => act(`Pull of "${feed.name}" queued.`, () => gql(PULL_NOW, { feed: feed.name }, true), true)}
                  >
                    Pull now
                  </button>
                ) : null}
                {feed.schedule ? (
                  <button
                    type="button"
                    onClick={() => act(`Schedule of "${feed.name}" removed.`, () => gql(REMOVE, { feed: feed.name }, true))}
                  >
                    Remove schedule
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={() => void load()}>
        Refresh
      </button>
      <form onSubmit={setSchedule} className="grid-form" aria-label="set a feed schedule">
        <label>
          Feed
          <input name="feed" required list="feed-names" />
          <datalist id="feed-names">
            {feeds.map((f) => (
              <option key={f.id} value={f.name} />
            ))}
          </datalist>
        </label>
        <label>
          URL (default: the feed’s)
          <input name="url" type="url" placeholder="https://…" />
        </label>
        <label>
          Cron (UTC)
          <input name="cron" placeholder="15 * * * *" />
        </label>
        <label>
          …or every (seconds)
          <input name="every" type="number" min={1} />
        </label>
        <label>
          Format
          <select name="format" defaultValue="">
            <option value="">detected</option>
            {FORMATS.map((f) => (
              <option key={f}>{f}</option>
            ))}
          </select>
        </label>
        <label>
          Kind (new feed)
          <select name="kind" defaultValue="">
            <option value="">–</option>
            {FEED_KINDS.map((k) => (
              <option key={k}>{k}</option>
            ))}
          </select>
        </label>
        <button type="submit">Save schedule</button>
      </form>
    </section>
  );
}
