/** Where the dashboard's server components reach the GraphQL API. */
export const API_URL = process.env.DGASCOPE_API_URL ?? 'http://127.0.0.1:4000/graphql';
