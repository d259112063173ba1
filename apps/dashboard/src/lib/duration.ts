/** "< 1 s", "45 s", "3 min 20 s", "2 h 05 min": a job's duration at a glance. */
export function formatDuration(seconds: number): string {
  if (seconds < 0.5) return '< 1 s';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** "2026-12-02 10:41:07 UTC": a timestamp to the second, in UTC (server and browser agree). */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
