// Processes and files: run, which, walk, sha256, copy or move.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  return { ok: r.status === 0, status: r.status, out: (r.stdout ?? '') + (r.stderr ?? ''), error: r.error };
}
export const which = (cmd) => {
  for (const d of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(d, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  return null;
};
export function walk(dir, fn, rel = '') {
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) walk(dir, fn, r);
    else fn(r);
  }
}
export function sha256File(file) {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const b = Buffer.alloc(1 << 22);
  let n;
  try {
    while ((n = fs.readSync(fd, b, 0, b.length, null)) > 0) h.update(b.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}
export function copyOrMove(src, dst, move) {
  fs.mkdirSync(path.dirname(dst), { recursive: true });
  if (move) {
    try {
      fs.renameSync(src, dst);
      return;
    } catch {
      /* cross-device: copy */
    }
  }
  fs.copyFileSync(src, dst, fs.constants.COPYFILE_FICLONE);
}
