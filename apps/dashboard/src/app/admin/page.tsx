import { AdminPanel, type TrainingPrefill } from './admin-panel';

export const dynamic = 'force-dynamic';

const ids = (v: string | undefined) =>
  (v ?? '')
    .split(',')
    .filter((x) => /^\d+$/.test(x))
    .map(Number);

/** `?train=1,3&warmStart=2` prefills the training form (the unseen-family review links here). */
export default async function AdminPage({ searchParams }: { searchParams: Promise<{ train?: string; warmStart?: string }> }) {
  const params = await searchParams;
  const prefill: TrainingPrefill | null = params.train
    ? { snapshotIds: ids(params.train), warmStartModelId: ids(params.warmStart)[0] ?? null }
    : null;
  return (
    <>
      <h1>Admin</h1>
      <AdminPanel prefill={prefill} />
    </>
  );
}
