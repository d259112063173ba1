import { gql } from '@/lib/client-graphql';
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

/** The model registry: promote (or roll back to) a model, retire one. */
export function ModelsSection({ models, admin }: { models: ModelRow[]; admin: AdminAction }) {
  return (
    <section aria-labelledby="models">
      <h2 id="models">Models</h2>
      {models.length === 0 ? <p className="muted">No models yet.</p> : null}
      <table data-testid="admin-models">
        <tbody>
          {models.map((m) => (
            <tr key={m.id} data-model={m.id}>
              <td>v{m.id}</td>
              <td data-testid={`model-status-${m.id}`}>{m.status.toLowerCase()}</td>
              <td>{m.labels.length} classes</td>
              <td>{m.metrics ? `macro-F1 ${m.metrics.macro.f1.toFixed(3)}` : ''}</td>
              <td>
                {m.status === 'READY' || m.status === 'RETIRED' ? (
                  <button
                    type="button"
                    onClick={() => admin(`Model v${m.id} promoted.`, () => gql(PROMOTE_MODEL, { id: m.id }, true), ['models'])}
                  >
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
