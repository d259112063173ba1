import Link from 'next/link';
import { ErrorPanel } from '@/components/error-panel';
import { PickSelect } from '@/components/pick-select';
import { formatDate, formatInt } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

type ModelRow = ResultOf<typeof MODELS>['models']['nodes'][number];

const MODELS = graphql(`
  {
    models(first: 100) {
      nodes {
        id
        status
        createdAt
        backend
        labels
        trainingSamples
        snapshotIds
        metrics {
          accuracy
          macro {
            f1
          }
          micro {
            f1
          }
          zeroF1Families
          binary {
            auc
          }
        }
      }
    }
  }
`);

export default async function ModelsPage() {
  let models: ModelRow[];
  try {
    models = (await query(MODELS)).models.nodes;
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const options = models.map((m) => ({ value: m.id, label: `v${m.id} (${m.status.toLowerCase()})` }));
  return (
    <>
      <h1>Models</h1>
      {models.length === 0 ? (
        <p className="muted">No model yet: start a training job in Admin.</p>
      ) : (
        <section>
          <table data-testid="models">
            <thead>
              <tr>
                <th className="num">Version</th>
                <th>Status</th>
                <th>Created</th>
                <th>Backend</th>
                <th className="num">Classes</th>
                <th className="num">Training samples</th>
                <th className="num">Accuracy</th>
                <th className="num">Macro-F1</th>
                <th className="num">Micro-F1</th>
                <th className="num">AUC</th>
                <th className="num">F1 = 0</th>
              </tr>
            </thead>
            <tbody>
              {models.map((m) => (
                <tr key={m.id} className={m.status === 'PROMOTED' ? 'head' : ''}>
                  <td className="num">
                    <Link href={`/models/${m.id}`}>{m.id}</Link>
                  </td>
                  <td>{m.status.toLowerCase()}</td>
                  <td>{formatDate(m.createdAt)}</td>
                  <td>{m.backend ?? ''}</td>
                  <td className="num">{m.labels.length}</td>
                  <td className="num">{m.trainingSamples != null ? formatInt(m.trainingSamples) : ''}</td>
                  <td className="num">{m.metrics?.accuracy.toFixed(3) ?? ''}</td>
                  <td className="num">{m.metrics?.macro.f1.toFixed(3) ?? ''}</td>
                  <td className="num">{m.metrics?.micro.f1.toFixed(3) ?? ''}</td>
                  <td className="num">{m.metrics?.binary?.auc.toFixed(4) ?? ''}</td>
                  <td className="num">{m.metrics?.zeroF1Families ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {models.length >= 2 ? (
        <section>
          <h2>Compare two models</h2>
          <form className="pick" method="get" action="/models/compare">
            <PickSelect label="Model A" name="a" defaultValue={models[1]!.id} options={options} />
            <PickSelect label="Model B" name="b" defaultValue={models[0]!.id} options={options} />
            <button type="submit">Compare</button>
          </form>
        </section>
      ) : null}
    </>
  );
}
