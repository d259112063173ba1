import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Where the gauges read their values when Prometheus scrapes. */
export interface MetricSources {
  /** Jobs per queue and state. */
  queueDepth?: () => Promise<Array<{ queue: string; state: string; count: number }>>;
  /** The promoted model's id (its version in the registry); null when none is promoted. */
  promotedModel?: () => Promise<number | null>;
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const JOB_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600];

/**
 * The Prometheus metrics of one process (the API or a worker), on a registry of its own:
 * names and labels are documented in the README ("Metrics"). Labels take values from small
 * fixed sets only (GraphQL operation names are capped), so a client cannot grow the series.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly graphqlDuration: Histogram<'operation' | 'type' | 'outcome'>;
  readonly jobsTotal: Counter<'kind' | 'outcome'>;
  readonly jobDuration: Histogram<'kind' | 'outcome'>;
  readonly ingestedRows: Counter<'feed_kind'>;
  readonly snapshotsIngested: Counter<'feed_kind'>;
  readonly predictionsWritten: Counter;
  readonly feedPulls: Counter<'outcome'>;
  readonly webhookDeliveries: Counter<'outcome'>;
  readonly retentionDeleted: Counter;
  private readonly operations = new Set<string>();

  constructor(processName: 'api' | 'worker', sources: MetricSources = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ process: processName });
    collectDefaultMetrics({ register: this.registry, prefix: 'dgascope_' });
    this.httpDuration = new Histogram({
      name: 'dgascope_http_request_duration_seconds',
      help: 'HTTP requests by method, route (/graphql, /healthz, /metrics, /predictions.csv, other) and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: 'dgascope_graphql_operation_duration_seconds',
      help: 'GraphQL operations by operation name, type (query, mutation) and outcome (ok, error)',
      labelNames: ['operation', 'type', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.jobsTotal = new Counter({
      name: 'dgascope_jobs_total',
      help: 'Job attempts finished, by kind and outcome (completed, failed, retrying, cancelled)',
      labelNames: ['kind', 'outcome'],
      registers,
    });
    this.jobDuration = new Histogram({
      name: 'dgascope_job_duration_seconds',
      help: 'Duration of job attempts, by kind and outcome',
      labelNames: ['kind', 'outcome'],
      buckets: JOB_BUCKETS,
      registers,
    });
    this.ingestedRows = new Counter({
      name: 'dgascope_ingested_rows_total',
      help: 'Rows accepted into new snapshots, by feed kind',
      labelNames: ['feed_kind'],
      registers,
    });
    this.snapshotsIngested = new Counter({
      name: 'dgascope_snapshots_ingested_total',
      help: 'New snapshots stored, by feed kind',
      labelNames: ['feed_kind'],
      registers,
    });
    this.predictionsWritten = new Counter({
      name: 'dgascope_predictions_written_total',
      help: 'Predictions stored by bulk-classification jobs',
      registers,
    });
    this.feedPulls = new Counter({
      name: 'dgascope_feed_pulls_total',
      help: 'Feed pull attempts, by outcome (NEW_SNAPSHOT, UNCHANGED, NOT_MODIFIED, FAILED)',
      labelNames: ['outcome'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'dgascope_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by outcome (delivered, retrying, failed)',
      labelNames: ['outcome'],
      registers,
    });
    this.retentionDeleted = new Counter({
      name: 'dgascope_retention_predictions_deleted_total',
      help: 'Predictions removed by the retention job',
      registers,
    });
    const queueDepth = sources.queueDepth;
    new Gauge({
      name: 'dgascope_queue_jobs',
      help: 'Jobs in each queue, by state (waiting, active, delayed, failed, prioritized, waiting-children)',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        if (!queueDepth) return;
        this.reset();
        // Redis away: the gauge is left empty rather than failing the whole scrape.
        for (const d of await queueDepth().catch(() => [])) this.set({ queue: d.queue, state: d.state }, d.count);
      },
    });
    const promoted = sources.promotedModel;
    new Gauge({
      name: 'dgascope_promoted_model_id',
      help: 'Id (registry version) of the promoted model; 0 when none is promoted',
      registers,
      async collect() {
        if (!promoted) return;
        const id = await promoted().catch(() => undefined);
        if (id !== undefined) this.set(id ?? 0);
      },
    });
  }

  /**
   * An operation name as a label value: names from the dashboard and scripts are few, but a
   * client picks them, so past 100 distinct names (or an odd name) they count as "other".
   */
  operationLabel(name: string | null | undefined): string {
    if (!name) return 'anonymous';
    if (this.operations.has(name)) return name;
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(name) || this.operations.size >= 100) return 'other';
    this.operations.add(name);
    return name;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
