'use client';

import { useEffect, useRef, type FormEvent } from 'react';
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
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // A key typed before this effect ran (the page was interactive before React hydrated) is kept.
    if (input.current && input.current.value === '') input.current.value = apiKey.get();
    onSaved(apiKey.get() !== '');
  }, [onSaved]);

  async function saveKey(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    // Read from the field itself, not from React state: state misses what was typed before hydration.
    const value = String(new FormData(e.currentTarget).get('key') ?? '').trim();
    if (value === '') {
      // Without a key every query is still answered, so checking it would "accept" nothing.
      onChecked(new Error('Enter the admin API key first.'));
      return;
    }
    apiKey.set(value);
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
          <input ref={input} name="key" type="password" autoComplete="off" />
        </label>
        <button type="submit">Use this key</button>
        {saved ? (
          <button
            type="button"
            onClick={() => {
              apiKey.clear();
              if (input.current) input.current.value = '';
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
