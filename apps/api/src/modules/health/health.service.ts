import type { Redis } from 'ioredis';
import type { Pool } from 'pg';

export interface HealthReport {
  database: boolean;
  redis: boolean;
}

export class HealthService {
  constructor(
    private readonly pool: Pool,
    private readonly redis: Redis,
  ) {}

  async check(): Promise<HealthReport> {
    const [database, redis] = await Promise.all([
      this.pool.query('SELECT 1').then(
        () => true,
        () => false,
      ),
      this.redis.ping().then(
        (r) => r === 'PONG',
        () => false,
      ),
    ]);
    return { database, redis };
  }
}
