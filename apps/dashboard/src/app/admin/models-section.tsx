import { useState } from 'react';
import { gql } from '@/lib/client-graphql';
import { formatShare } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import type { AdminAction, ADMIN_MODELS } from './admin-action';

export type ModelRow = ResultOf<typeof ADMIN_MODELS>['models']['nodes'][number];

const PROMOTE_MODEL = graphql(`
  mutation PromoteModel($id: Int!) {
    promoteModel(id: $id) {
      id
    }
  }
`);
const RETIRE_MODEL = graphql(`
  mutation RetireModel($id: Int!) {
    retireModel(id: $id) {
      id
    }
  }
`);
const PROMOTION_REVIEW = graphql(`
  query PromotionReview($id: Int!) {
    promotionReview(id: $id) {
      candidate {
        id
      }
      promoted {
        id
      }
      worse
      isRollback
      familiesLost
      measures {
        key
        label
        candidate
        promoted
        higherIsBetter
        worse
        note
      }
    }
  }
`);

type Review = ResultOf<typeof PROMOTION_REVIEW>['promotionReview'];

const show = (key: string, v: number | null) =>
  v == null ? 'n/a' : key === 'familiesLost' ? String(v) : key.endsWith('Rate') ? formatShare(v) : v.toFixed(3);

/** The candidate against the promoted model, measure by measure; shown when it is worse on any. */
function PromotionWarning({ review, onConfirm, onCancel }: { review: Review; onConfirm(): void; onCancel(): void }) {
  const c = review.candidate.id;
  const p = review.promoted?.id;
  return (
    <div className="warning" role="alertdialog" aria-labelledby="promotion-warning" data-testid="promotion-review">
      <h3 id="promotion-warning">
        v{c} is worse than the promoted v{p} on {review.measures.filter((m) => m.worse).length} measure(s). Promote it anyway?
      </h3>
      <table>
        <thead>
          <tr>
            <th>Measure</th>
            <th className="num">v{c} (candidate)</th>
            <th className="num">v{p} (promoted)</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {review.measures.map((m) => (
            <tr key={m.key} data-measure={m.key} data-worse={m.worse}>
              <td>
                {m.label} <span className="muted">({m.higherIsBetter ? 'higher' : 'lower'} is better)</span>
                {m.note ? <div className="muted">{m.note}</div> : null}
              </td>
              <td className="num">{show(m.key, m.candidate)}</td>
              <td className="num">{show(m.key, m.promoted)}</td>
              <td>{m.worse ? <span className="tag tail">worse</span> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <button type="button" onClick={onConfirm}>
        Promote v{c} anyway
      </button>{' '}
      <button type="button" onClick={onCancel}>
        Keep v{p}
      </button>
    </div>
  );
}

/**
 * The model registry: promote with judgement (a candidate worse than the promoted model on any
 * measure needs a confirmation), roll back in one step (to the model promoted before), retire.
 */
export function ModelsSection({ models, admin, onError }: { models: ModelRow[]; admin: AdminAction; onError(err: unknown): void }) {
  const [review, setReview] = useState<Review | null>(null);
  const promoted = models.find((m) => m.status === 'PROMOTED');
  // The rollback target: the model promoted most recently before the current one.
  const previous = models
    .filter((m) => m.id !== promoted?.id && m.promotedAt != null && (m.status === 'READY' || m.status === 'RETIRED'))
    .sort((a, b) => (a.promotedAt! < b.promotedAt! ? 1 : -1))[0];

  const promote = (id: number, label: string) => admin(label, () => gql(PROMOTE_MODEL, { id }, true), ['models']);

  async function reviewThenPromote(id: number) {
    setReview(null);
    let r: Review;
    try {
      r = (await gql(PROMOTION_REVIEW, { id })).promotionReview;
    } catch (err) {
      onError(err);
      return;
    }
    if (r.worse && !r.isRollback) setReview(r);
    else
      await promote(id, r.promoted ? `Model v${id} promoted (no worse than v${r.promoted.id} on any measure).` : `Model v${id} promoted.`);
  }

  return (
    <section aria-labelledby="models">
      <h2 id="models">Models</h2>
      {models.length === 0 ? <p className="muted">No models yet.</p> : null}
      {review ? (
        <PromotionWarning
          review={review}
          onCancel={() => setReview(null)}
          onConfirm={() => {
            setReview(null);
            void promote(review.candidate.id, `Model v${review.candidate.id} promoted, although worse than v${review.promoted?.id}.`);
          }}
        />
      ) : null}
      <table data-testid="admin-models">
        <tbody>
          {models.map((m) => (
            <tr key={m.id} data-model={m.id}>
              <td>v{m.id}</td>
              <td data-testid={`model-status-${m.id}`}>{m.status.toLowerCase()}</td>
              <td>{m.labels.length} classes</td>
              <td>{m.metrics ? `macro-F1 ${m.metrics.macro.f1.toFixed(3)}` : ''}</td>
              <td>
                {m.id === previous?.id ? (
                  <button type="button" onClick={() => void promote(m.id, `Rolled back to model v${m.id}.`)}>
                    Roll back to v{m.id}
                  </button>
                ) : m.status === 'READY' || m.status === 'RETIRED' ? (
                  <button type="button" onClick={() => void reviewThenPromote(m.id)}>
                    Promote v{m.id}
                  </button>
                ) : null}
                {m.status === 'READY' || m.status === 'FAILED' ? (
                  <button
                    type="button"
                    onClick={() => admin(`Model v${m.id} retired.`, () => gql(RETIRE_MODEL, { id: m.id }, true), ['models'])}
                  >
                    Retire v{m.id}
                  </button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
