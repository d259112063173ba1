'use client';

import { useEffect, useState, type FormEvent } from 'react';
import { apiKey, gql } from '@/lib/client-graphql';
import { graphql } from '@/lib/graphql';

const CHECK_KEY = graphql(`
  query CheckKey {
    health {
      database
    }
  }
`);

/** The admin key, kept in this tab only; `onSaved(true)` once a key is saved, false when forgotten. */
export function ApiKeyForm({
  saved,
  onSaved,
  onChecked,
}: {
  saved: boolean;
  onSaved(saved: boolean): void;
  /** The outcome of checking a saved key: null when accepted, else the error. */
  onChecked(error: unknown): void;
}) {
  const [key, setKey] = useState('');

  useEffect(() => {
    setKey(apiKey.get());
    onSaved(apiKey.get() !== '');
  }, [onSaved]);

  async function saveKey(e: FormEvent) {
    e.preventDefault();
    apiKey.set(key.trim());
    onSaved(true);
    try {
      // A wrong key is refused on any request, so a query is enough to check it.
      await gql(CHECK_KEY, {}, true);
      onChecked(null);
    } catch (err) {
      onChecked(err);
    }
  }

  return (
    <section aria-labelledby="key">
      <h2 id="key">API key</h2>
      <form className="pick" onSubmit={saveKey}>
        <label>
          Admin API key (kept in this browser tab only)
          <input type="password" value={key} onChange={(e) => setKey(e.target.value)} autoComplete="off" />
        </label>
        <button type="submit">Use this key</button>
        {saved ? (
          <button
            type="button"
            onClick={() => {
              apiKey.clear();
              setKey('');
              onSaved(false);
            }}
          >
            Forget it
          </button>
        ) : null}
      </form>
    </section>
  );
}
