import { ApiError } from '@/lib/graphql';

export function ErrorPanel({ error }: { error: unknown }) {
  const message = error instanceof ApiError ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <section className="error" role="alert">
      <h2>The API answered with an error</h2>
      <p>
        {message}
        {code ? <span className="muted"> ({code})</span> : null}
      </p>
    </section>
  );
}
