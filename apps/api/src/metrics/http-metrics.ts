import type { RequestHandler } from 'express';
import type { Metrics } from './metrics';

const ROUTES = new Set(['/graphql', '/healthz', '/metrics', '/predictions.csv']);

/** Times every HTTP request; the route label is one of a fixed set. */
export function httpMetrics(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    const end = metrics.httpDuration.startTimer();
    res.once('finish', () => {
      const path = req.originalUrl.split('?')[0] ?? '';
      end({ method: req.method, route: ROUTES.has(path) ? path : 'other', status: String(res.statusCode) });
    });
    next();
  };
}
