/** Where the dashboard's server components reach the GraphQL API. */
export const API_URL = process.env.DGASCOPE_API_URL ?? 'http://127.0.0.1:4000/graphql';

/**
 * The key the dashboard's own server uses to read (a viewer key is enough), for an API with
 * REQUIRE_AUTH on. Admin actions always use the key the admin types in the browser.
 */
export const API_KEY = process.env.DGASCOPE_API_KEY;

/**
 * Origins the browser may call the dashboard's /api/graphql proxy from, besides the dashboard's
 * own host (a reverse proxy in front of it): comma-separated, e.g. https://dgascope.example.
 */
export const DASHBOARD_ORIGINS = (process.env.DGASCOPE_DASHBOARD_ORIGINS ?? '')
  .split(',')
  .map((o) => o.trim())
  .filter(Boolean);
