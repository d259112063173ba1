const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** Whether an error means "PostgreSQL cannot be reached right now" (not "this query is wrong"). */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; sqlState?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth++
  ) {
    const code = typeof e.code === 'string' ? e.code : '';
    // Class 08 (connection exception) and 57P0x (server shutting down / starting up).
    if (PRISMA_CODES.has(code) || NETWORK_CODES.has(code) || /^08|^57P0/.test(code)) return true;
    if (
      typeof e.message === 'string' &&
      /Connection terminated|DatabaseNotReachable|the database system is (starting up|shutting down)/.test(e.message)
    )
      return true;
    e = e.cause as typeof e;
  }
  return false;
}

/** Whether an error is PostgreSQL cancelling a statement for its statement_timeout (SQLSTATE 57014). */
export function isStatementTimeout(err: unknown): boolean {
  for (let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; depth++) {
    if (e.code === '57014' || (typeof e.message === 'string' && /canceling statement due to statement timeout/.test(e.message)))
      return true;
    e = e.cause as typeof e;
  }
  return false;
}
