import { Client, type ClientConfig } from 'pg';

export interface NotificationListenerOptions {
  /** How to reach PostgreSQL (e.g. `{ connectionString }`); a connection of its own, outside any pool. */
  connection: ClientConfig;
  channel: string;
  /** A notification on the channel; `payload` is what the sender passed to pg_notify. */
  onNotification(payload: string): void;
  /**
   * The listener stopped listening (connection lost) or started again. Either way, anything
   * sent in between was missed: whoever relies on the notifications must forget what they
   * would have invalidated.
   */
  onReset(): void;
  /** Delay before reconnecting after a failure (default 1 s). */
  retryMs?: number;
}

/**
 * One dedicated connection that LISTENs on a channel and reconnects by itself. `listening`
 * is true only between a confirmed LISTEN and the first sign of trouble, so a cache built on
 * it is used only while no notification can be missed.
 */
export class NotificationListener {
  private client: Client | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = false;
  private started = false;
  listening = false;

  constructor(private readonly options: NotificationListenerOptions) {}

  /** Starts listening in the background; idempotent. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.connect();
  }

  private async connect(): Promise<void> {
    this.retry = null;
    if (this.stopped) return;
    const client = new Client({
      ...this.options.connection,
      application_name: `dgascope-listen-${this.options.channel}`,
      // A peer that vanishes without closing the connection is noticed too.
      keepAlive: true,
    });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners('notification');
      client.end().catch(() => undefined);
      if (this.listening) {
        this.listening = false;
        this.options.onReset();
      }
      if (!this.stopped) this.retry = setTimeout(() => void this.connect(), this.options.retryMs ?? 1000).unref();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (n) => {
      if (n.channel === this.options.channel) this.options.onNotification(n.payload ?? '');
    });
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel.replace(/"/g, '""')}"`);
    } catch {
      lost();
      return;
    }
    if (this.client !== client) return; // lost or stopped while connecting
    this.listening = true;
    this.options.onReset();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    const client = this.client;
    this.client = null;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }
}
