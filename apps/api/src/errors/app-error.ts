export type ErrorCategory = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'PAYLOAD_TOO_LARGE';

/** An expected failure with a stable machine-readable reason; mapped to GraphQL in one place. */
export class AppError extends Error {
  constructor(
    readonly category: ErrorCategory,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
