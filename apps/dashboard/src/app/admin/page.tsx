import { AdminPanel } from './admin-panel';

export const dynamic = 'force-dynamic';

export default function AdminPage() {
  return (
    <>
      <h1>Admin</h1>
      <AdminPanel />
    </>
  );
}
