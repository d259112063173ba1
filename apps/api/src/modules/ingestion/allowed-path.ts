import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors/app-error';

/** The API reads server-side files only under the configured directories (symlinks resolved). */
export async function resolveAllowedPath(requested: string, allowedDirs: readonly string[]): Promise<string> {
  if (allowedDirs.length === 0) {
    throw new AppError(
      'FORBIDDEN',
      'PATH_INGEST_DISABLED',
      'server-side paths are disabled (set INGEST_ALLOWED_DIRS); upload the file instead',
    );
  }
  const real = await realpath(requested).catch(() => {
    throw new AppError('BAD_USER_INPUT', 'SOURCE_NOT_FOUND', `${requested}: no such file`);
  });
  for (const dir of allowedDirs) {
    const root = await realpath(dir).catch(() => null);
    if (root && (real === root || real.startsWith(root + path.sep))) return real;
  }
  throw new AppError('FORBIDDEN', 'PATH_NOT_ALLOWED', `${requested}: outside INGEST_ALLOWED_DIRS`);
}
