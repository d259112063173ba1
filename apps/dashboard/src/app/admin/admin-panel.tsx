'use client';

import { useCallback, useEffect, useState } from 'react';
import { gql } from '@/lib/client-graphql';
import { describeError, type ResultOf } from '@/lib/graphql';
import { ADMIN_JOBS, ADMIN_MODELS, ADMIN_SNAPSHOTS, type AdminAction } from './admin-action';
import { ApiKeyForm } from './api-key-form';
import { AuditLog } from './audit-log';
import { BulkClassificationForm } from './bulk-classification-form';
import { EvaluationForm } from './evaluation-form';
import { isRunning, JobsSection, type JobRow } from './jobs-section';
import { ModelsSection, type ModelRow } from './models-section';
import { TrainingForm, type TrainingPrefill } from './training-form';
import { FeedSchedulesSection } from './feed-schedules-section';
import { WebhooksSection } from './webhooks-section';

export type { TrainingPrefill };

/** How often the progress of running jobs is read, while any runs. */
const JOB_POLL_MS = 1000;

type Snapshot = ResultOf<typeof ADMIN_SNAPSHOTS>['snapshots']['nodes'][number];

/**
 * The admin page: each feature in its own file. Data is read once, then refreshed where it
 * changed: after a mutation (what that mutation changed), and jobs every second only while
 * one is queued or running (the models too when one finishes: training makes one).
 */
export function AdminPanel({ prefill }: { prefill: TrainingPrefill | null }) {
  const [saved, setSaved] = useState(false);
  const [snapshots, setSnapshots] = useState<Snapshot[]>([]);
  const [models, setModels] = useState<ModelRow[]>([]);
  const [jobs, setJobs] = useState<JobRow[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  /** Counts admin actions: the audit log reloads after each. */
  const [actions, setActions] = useState(0);

  const showError = useCallback((err: unknown) => setError(describeError(err)), []);
  const loadModels = useCallback(() => gql(ADMIN_MODELS, {}).then((d) => setModels(d.models.nodes), showError), [showError]);
  const loadJobs = useCallback(() => gql(ADMIN_JOBS, {}).then((d) => setJobs(d.jobs.nodes), showError), [showError]);

  useEffect(() => {
    void gql(ADMIN_SNAPSHOTS, {}).then((d) => setSnapshots(d.snapshots.nodes), showError);
    void loadModels();
    void loadJobs();
  }, [showError, loadModels, loadJobs]);

  const running = jobs.some(isRunning);
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void loadJobs(), JOB_POLL_MS);
    // A job that finished may have made (or failed) a model.
    return () => {
      clearInterval(timer);
      void loadModels();
    };
  }, [running, loadJobs, loadModels]);

  const admin: AdminAction = useCallback(
    async (label, run, changed) => {
      setError(null);
      setNotice(null);
      try {
        await run();
        setNotice(label);
        await Promise.all([changed.includes('jobs') ? loadJobs() : null, changed.includes('models') ? loadModels() : null]);
      } catch (err) {
        showError(err);
      } finally {
        setActions((n) => n + 1);
      }
    },
    [loadJobs, loadModels, showError],
  );

  const onKeyChecked = useCallback(
    (err: unknown) => {
      if (err) showError(err);
      else {
        setError(null);
        setNotice('API key accepted.');
        setActions((n) => n + 1);
      }
    },
    [showError],
  );

  const ready = models.filter((m) => m.status === 'READY' || m.status === 'PROMOTED' || m.status === 'RETIRED');
  return (
    <>
      <ApiKeyForm saved={saved} onSaved={setSaved} onChecked={onKeyChecked} />
      {error ? (
        <section className="error" role="alert" data-testid="admin-error">
          {error}
        </section>
      ) : null}
      {notice ? (
        <p className="notice" role="status">
          {notice}
        </p>
      ) : null}
      <JobsSection jobs={jobs} admin={admin} />
      <ModelsSection models={models} admin={admin} onError={showError} />
      <TrainingForm snapshots={snapshots} ready={ready} admin={admin} onError={showError} prefill={prefill} />
      <EvaluationForm snapshots={snapshots} ready={ready} admin={admin} />
      <BulkClassificationForm snapshots={snapshots} ready={ready} admin={admin} />
      <FeedSchedulesSection admin={admin} />
      <WebhooksSection admin={admin} keySaved={saved} />
      <AuditLog keySaved={saved} reloadAfter={actions} />
    </>
  );
}
