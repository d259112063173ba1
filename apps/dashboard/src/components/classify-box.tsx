'use client';

import { useState } from 'react';
import { VerdictBadge, familyText } from '@/components/verdict';
import { gql } from '@/lib/client-graphql';
import { describeError, graphql, type ResultOf } from '@/lib/graphql';

const CLASSIFY = graphql(`
  query Classify($d: [String!]!) {
    classify(domains: $d) {
      domain
      error
      verdict
      family
      probability
      nearestFamily
      dgaScore
      unknownFamily
      top3 {
        family
        probability
      }
      modelId
    }
  }
`);
type Result = ResultOf<typeof CLASSIFY>['classify'][number];

/** "Classify now": up to the API's limit of names, one a line, with the promoted model. */
export function ClassifyBox() {
  const [text, setText] = useState('');
  const [results, setResults] = useState<Result[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function run() {
    const domains = text
      .split('\n')
      .map((d) => d.trim())
      .filter(Boolean);
    if (domains.length === 0) return;
    setBusy(true);
    setError(null);
    try {
      const data = await gql(CLASSIFY, { d: domains });
      setResults(data.classify);
    } catch (err) {
      setError(describeError(err));
      setResults(null);
    } finally {
      setBusy(false);
    }
  }
  return (
    <div>
      <label className="stack">
        Domains, one a line
        <textarea rows={4} value={text} onChange={(e) => setText(e.target.value)} placeholder={'kqjzhwpe.biz\nwww.example.com'} />
      </label>
      <button type="button" onClick={run} disabled={busy}>
        {busy ? 'Classifying…' : 'Classify now'}
      </button>
      {error ? (
        <p className="error-text" role="alert">
          {error}
        </p>
      ) : null}
      {results ? (
        <table data-testid="classify-results">
          <thead>
            <tr>
              <th>Domain</th>
              <th>Verdict</th>
              <th>Family</th>
              <th className="num">Probability</th>
              <th className="num">DGA score</th>
              <th>Top 3</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r, i) => (
              <tr key={`${r.domain}-${i}`}>
                <td className="mono">{r.domain}</td>
                <td>
                  {r.error ? (
                    <span className="error-text">{r.error}</span>
                  ) : (
                    <VerdictBadge verdict={r.verdict} unknownFamily={r.unknownFamily} />
                  )}
                </td>
                <td>{r.error ? '' : familyText(r)}</td>
                <td className="num">{r.probability?.toFixed(3) ?? ''}</td>
                <td className="num">{r.dgaScore?.toFixed(3) ?? ''}</td>
                <td>{r.top3.map((t) => `${t.family} ${t.probability.toFixed(2)}`).join(', ')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}
