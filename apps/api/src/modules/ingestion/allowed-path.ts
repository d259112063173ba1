import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../errors/app-error';

const inside = (file: string, root: string) => file === root || file.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * The API reads server-side files only under the configured directories (symlinks resolved).
 * A path outside them is refused before the file system is touched, so that the answer is the
 * same whether or not something exists there (no existence oracle).
 */
export async function resolveAllowedPath(requested: string, allowedDirs: readonly string[]): Promise<string> {
  if (allowedDirs.length === 0) {
    throw new AppError(
      'FORBIDDEN',
      'PATH_INGEST_DISABLED',
      'server-side paths are disabled (set INGEST_ALLOWED_DIRS); upload the file instead',
    );
  }
  const notAllowed = () => new AppError('FORBIDDEN', 'PATH_NOT_ALLOWED', `${requested}: outside INGEST_ALLOWED_DIRS`);
  // The configured directories, as written and with their symlinks resolved (they are trusted).
  const roots: string[] = [];
  for (const dir of allowedDirs) {
    roots.push(path.resolve(dir));
    const real = await realpath(dir).catch(() => null);
    if (real) roots.push(real);
  }
  const lexical = path.resolve(requested);
  if (!roots.some((root) => inside(lexical, root))) throw notAllowed();
  // Inside by name; a symlink in it must not lead outside.
  const real = await realpath(lexical).catch(() => {
    throw new AppError('BAD_USER_INPUT', 'SOURCE_NOT_FOUND', `${requested}: no such file`);
  });
  if (!roots.some((root) => inside(real, root))) throw notAllowed();
  return real;
}
