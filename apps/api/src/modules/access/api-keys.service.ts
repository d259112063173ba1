import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { ApiKeyRole, Prisma, type ApiKey, type PrismaClient } from '@prisma/client';
import type { ClientConfig, Pool } from 'pg';
import { NotificationListener } from '../../db/notification-listener';
import { AppError } from '../../errors/app-error';

/** Who is calling. `keyId` is null for the bootstrap key from the environment. */
export interface Actor {
  name: string;
  role: ApiKeyRole;
  keyId: number | null;
}

export const BOOTSTRAP_ACTOR_NAME = 'bootstrap (ADMIN_API_KEY)';
const KEY_PREFIX = 'dgs_';
const LAST_USED_RESOLUTION_MS = 60_000;
/** Announced by a trigger on api_keys whenever a change can alter an authentication result. */
export const API_KEY_CHANGES_CHANNEL = 'dgascope_api_keys';

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export type AuthenticationResult = { actor: Actor } | { failure: 'INVALID_API_KEY' | 'API_KEY_REVOKED'; message: string };

/**
 * API keys in PostgreSQL (hashed) plus the bootstrap key of the environment.
 *
 * Keys that authenticated are remembered, so that a request costs no database round trip
 * (that round trip was a tenth of the API's CPU time per `classify` call). The memory is
 * trusted only while a listener hears every change to api_keys (the table's trigger announces
 * revocations however they are made); while it does not, every request asks PostgreSQL.
 */
export class ApiKeysService {
  /** Key id → when its last_used_at was last written, so that every request is not also a write. */
  private readonly lastUsedWritten = new Map<number, number>();
  /** Key hash → who it authenticates, for keys valid when last asked. */
  private readonly known = new Map<string, Actor>();
  /** Bumped by every change: a lookup that raced a change must not be remembered. */
  private changes = 0;
  private readonly listener: NotificationListener | null;

  constructor(
    private readonly prisma: PrismaClient,
    private readonly pool: Pool,
    private readonly bootstrapKey: string | undefined,
    /** Where to listen for key changes; without it nothing is remembered (e.g. the CLI). */
    changes?: ClientConfig,
  ) {
    this.listener = changes
      ? new NotificationListener({
          connection: changes,
          channel: API_KEY_CHANGES_CHANNEL,
          onNotification: () => this.forget(),
          onReset: () => this.forget(),
        })
      : null;
  }

  private forget(): void {
    this.changes++;
    this.known.clear();
  }

  async create(name: string, role: ApiKeyRole, createdBy: string): Promise<{ secret: string; key: ApiKey }> {
    const trimmed = name.trim();
    if (!/^[\w.@:-]{1,64}$/.test(trimmed))
      throw new AppError('BAD_USER_INPUT', 'INVALID_KEY_NAME', `key name "${name.slice(0, 80)}" must be 1–64 letters, digits or . _ - @ :`);
    const secret = KEY_PREFIX + randomBytes(32).toString('base64url');
    try {
      const key = await this.prisma.apiKey.create({
        data: { name: trimmed, role, keyHash: hashApiKey(secret), prefix: secret.slice(0, KEY_PREFIX.length + 6), createdBy },
      });
      return { secret, key };
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')
        throw new AppError(
          'CONFLICT',
          'KEY_NAME_TAKEN',
          `an API key named "${trimmed}" already exists (names are never reused, even after revocation)`,
        );
      throw err;
    }
  }

  list(): Promise<ApiKey[]> {
    return this.prisma.apiKey.findMany({ orderBy: { id: 'asc' } });
  }

  /** Revokes by name or numeric id; revoking twice is an error that says when it happened. */
  async revoke(nameOrId: string): Promise<ApiKey> {
    const key = await this.prisma.apiKey.findFirst({ where: /^\d+$/.test(nameOrId) ? { id: Number(nameOrId) } : { name: nameOrId } });
    if (!key) throw new AppError('NOT_FOUND', 'KEY_NOT_FOUND', `no API key named or numbered "${nameOrId}"`);
    if (key.revokedAt)
      throw new AppError('CONFLICT', 'KEY_ALREADY_REVOKED', `API key "${key.name}" was already revoked at ${key.revokedAt.toISOString()}`);
    const revoked = await this.prisma.apiKey.update({ where: { id: key.id }, data: { revokedAt: new Date() } });
    // Other processes learn it from the trigger's notification; this one at once, so that its
    // own next request cannot overtake the notification.
    this.forget();
    return revoked;
  }

  async authenticate(secret: string): Promise<AuthenticationResult> {
    if (this.bootstrapKey && sameSecret(secret, this.bootstrapKey))
      return { actor: { name: BOOTSTRAP_ACTOR_NAME, role: ApiKeyRole.ADMIN, keyId: null } };
    // A lookup by hash: equal hashes mean equal keys, and the hash of a guess reveals nothing by
    // timing.
    const hash = hashApiKey(secret);
    this.listener?.start();
    const remembered = this.listener?.listening ? this.known.get(hash) : undefined;
    if (remembered) {
      this.touch(remembered.keyId!);
      return { actor: remembered };
    }
    const changesBefore = this.changes;
    // Plain pg: the ORM costs more than the query.
    const { rows } = await this.pool.query<Pick<ApiKey, 'id' | 'name' | 'role' | 'revokedAt'>>(
      'SELECT id, name, role, revoked_at AS "revokedAt" FROM api_keys WHERE key_hash = $1',
      [hash],
    );
    const key = rows[0];
    if (!key) return { failure: 'INVALID_API_KEY', message: 'invalid API key' };
    if (key.revokedAt)
      return { failure: 'API_KEY_REVOKED', message: `API key "${key.name}" was revoked at ${key.revokedAt.toISOString()}` };
    const actor: Actor = { name: key.name, role: key.role, keyId: key.id };
    if (this.listener?.listening && this.changes === changesBefore) this.known.set(hash, actor);
    this.touch(key.id);
    return { actor };
  }

  /** Stops listening for key changes. */
  async close(): Promise<void> {
    await this.listener?.stop();
  }

  private touch(id: number): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.lastUsedWritten.set(id, now);
    // Not awaited: a failed bookkeeping write must not fail the request it describes.
    this.prisma.apiKey.update({ where: { id }, data: { lastUsedAt: new Date(now) } }).catch(() => this.lastUsedWritten.delete(id));
  }
}
