/** Where the dashboard's server components reach the GraphQL API. */
export const API_URL = process.env.DGASCOPE_API_URL ?? 'http://127.0.0.1:4000/graphql';

/**
 * The key the dashboard's own server uses to read (a viewer key is enough), for an API with
 * REQUIRE_AUTH on. Admin actions always use the key the admin types in the browser.
 */
export const API_KEY = process.env.DGASCOPE_API_KEY;
