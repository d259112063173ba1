import { notFound } from 'next/navigation';
import { ConfusionHeatmap } from '@/components/confusion-heatmap';
import { ErrorPanel } from '@/components/error-panel';
import { FamilyMetricsTable } from '@/components/family-metrics-table';
import { MisclassifiedList } from '@/components/misclassified-list';
import { RocChart } from '@/components/roc-chart';
import { DecisionFacts } from '@/components/decision-facts';
import { ModelEvaluations } from '@/components/model-evaluations';
import { formatDate, formatInt } from '@/lib/format';
import { graphql, type ResultOf } from '@/lib/graphql';
import { query } from '@/lib/server-graphql';

export const dynamic = 'force-dynamic';

type ModelData = ResultOf<typeof MODEL>;

const MODEL = graphql(`
  query ($id: Int!) {
    model(id: $id) {
      id
      status
      createdAt
      backend
      labels
      snapshotIds
      trainingSamples
      preset
      loss
      config
      decision {
        dgaThreshold
        targetBenignFpr
        calibrationBenign
        dgaThresholdMethod
        dgaScorePrior
        noveltyMethod
        noveltyThreshold
        targetRejectRate
      }
      metrics {
        n
        accuracy
        micro {
          precision
          recall
          f1
        }
        macro {
          precision
          recall
          f1
        }
        weighted {
          precision
          recall
          f1
        }
        zeroF1Families
        benignFlaggedRate
        unknownFamilyRate
        perFamily {
          family
          precision
          recall
          f1
          support
        }
        confusion {
          labels
          counts
        }
        binary {
          auc
          tprAtFpr1e3
          tprAtFpr1e4
          roc {
            fpr
            tpr
            threshold
          }
        }
        misclassified {
          domain
          trueFamily
          predictedFamily
          probability
        }
        misclassifiedTotal
      }
    }
    evaluations(modelId: $id) {
      id
      snapshotId
      snapshotTakenAt
      domains
      trainedOnDomains
      freshDomains
      unknownToModelDomains
      macroF1
      flaggedRate
      benignFlaggedRate
      snapshot {
        feed {
          name
        }
      }
      fresh {
        macro {
          f1
        }
      }
      unknownFamilies {
        family
      }
    }
  }
`);

const f3 = (x: number) => x.toFixed(3);
const pct = (x: number | null) => (x == null ? 'n/a' : `${(100 * x).toFixed(2)}%`);

export default async function ModelPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  if (!/^\d+$/.test(id)) notFound();
  let data: ModelData;
  try {
    data = await query(MODEL, { id: Number(id) });
  } catch (err) {
    return <ErrorPanel error={err} />;
  }
  const m = data.model;
  const metrics = m.metrics;
  return (
    <>
      <h1>
        Model v{m.id} <span className="muted">· {m.status.toLowerCase()}</span>
      </h1>
      <section>
        <dl className="facts">
          <dt>Created</dt>
          <dd>{formatDate(m.createdAt)}</dd>
          <dt>Trained on</dt>
          <dd>snapshots {m.snapshotIds.join(', ')}</dd>
          <dt>Backend</dt>
          <dd>{m.backend ?? 'unknown'}</dd>
          <dt>Classes</dt>
          <dd>{m.labels.length}</dd>
          <dt>Training samples</dt>
          <dd>{m.trainingSamples != null ? formatInt(m.trainingSamples) : ''}</dd>
          <dt>Preset</dt>
          <dd data-testid="preset">{m.preset ?? 'none (raw options)'}</dd>
          <dt>Loss</dt>
          <dd data-testid="loss">{m.loss}</dd>
        </dl>
      </section>
      <section aria-labelledby="verdict-rule">
        <h2 id="verdict-rule">Verdict rule</h2>
        <DecisionFacts decision={m.decision} />
        {metrics ? (
          <p data-testid="verdict-rates">
            On the test split: {pct(metrics.benignFlaggedRate)} of benign domains flagged as DGA; {pct(metrics.unknownFamilyRate)} of DGA
            domains of known families answered &ldquo;unknown family&rdquo;.
          </p>
        ) : null}
      </section>
      <ModelEvaluations rows={data.evaluations} testMacroF1={metrics?.macro.f1 ?? null} />
      {!metrics ? (
        <p className="muted">No evaluation (the model is not trained, or had no test split).</p>
      ) : (
        <>
          <section aria-labelledby="averages">
            <h2 id="averages">
              Test split{' '}
              <span className="muted">
                · {formatInt(metrics.n)} domains, accuracy {f3(metrics.accuracy)}
              </span>
            </h2>
            <table data-testid="averages">
              <thead>
                <tr>
                  <th>Average</th>
                  <th className="num">Precision</th>
                  <th className="num">Recall</th>
                  <th className="num">F1</th>
                </tr>
              </thead>
              <tbody>
                {(['micro', 'macro', 'weighted'] as const).map((k) => (
                  <tr key={k}>
                    <td>{k}</td>
                    <td className="num">{f3(metrics[k].precision)}</td>
                    <td className="num">{f3(metrics[k].recall)}</td>
                    <td className="num">{f3(metrics[k].f1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {metrics.binary ? (
              <p>
                DGA vs benign: AUC {metrics.binary.auc.toFixed(4)}, TPR {f3(metrics.binary.tprAtFpr1e3)} at FPR 0.001,{' '}
                {f3(metrics.binary.tprAtFpr1e4)} at FPR 0.0001.
              </p>
            ) : null}
          </section>
          <section aria-labelledby="families">
            <h2 id="families">
              Per family <span className="muted">· {metrics.zeroF1Families} with F1 = 0</span>
            </h2>
            <FamilyMetricsTable rows={metrics.perFamily} />
          </section>
          <section aria-labelledby="confusion">
            <h2 id="confusion">Confusion matrix</h2>
            <ConfusionHeatmap labels={metrics.confusion.labels} counts={metrics.confusion.counts} />
          </section>
          {metrics.binary ? (
            <section aria-labelledby="roc">
              <h2 id="roc">ROC curve (DGA score against benign)</h2>
              <RocChart points={metrics.binary.roc} threshold={m.decision?.dgaThreshold ?? null} />
            </section>
          ) : null}
          <section aria-labelledby="misclassified">
            <h2 id="misclassified">
              Misclassified <span className="muted">· {formatInt(metrics.misclassifiedTotal)} in the test split, most confident first</span>
            </h2>
            <MisclassifiedList rows={metrics.misclassified} total={metrics.misclassifiedTotal} />
          </section>
        </>
      )}
    </>
  );
}
