import type { ErrorRequestHandler, RequestHandler } from 'express';

const TIMED_OUT = Symbol('dgascope.timedOut');

/**
 * Answers 503 REQUEST_TIMEOUT when a request takes longer than `ms`. The work already started is
 * not interrupted (GraphQL execution cannot be cut short); its late answer is dropped by
 * `dropLateResponses`. Ingestion is exempt (by its parsed root fields, `isIngestionOperation`):
 * it is bounded by size and by the feed server's idle timeout instead, and a client told
 * "timed out" while its snapshot still commits would be misled.
 */
export function requestDeadline(ms: number, exempt: (body: unknown) => boolean): RequestHandler {
  return (req, res, next) => {
    if (exempt(req.body)) return next();
    const timer = setTimeout(() => {
      if (res.headersSent) return;
      (req as unknown as Record<symbol, boolean>)[TIMED_OUT] = true;
      res.status(503).json({
        errors: [
          {
            message: `the request took longer than ${ms} ms and was abandoned (REQUEST_TIMEOUT_MS)`,
            extensions: { code: 'REQUEST_TIMEOUT', reason: 'REQUEST_TIMEOUT' },
          },
        ],
      });
    }, ms);
    res.once('close', () => clearTimeout(timer));
    res.once('finish', () => clearTimeout(timer));
    next();
  };
}

/** The late answer of a timed-out request fails to write its headers; that is expected. */
export const dropLateResponses: ErrorRequestHandler = (err, req, res, next) => {
  if ((req as unknown as Record<symbol, boolean>)[TIMED_OUT] && res.headersSent) return;
  next(err);
};
