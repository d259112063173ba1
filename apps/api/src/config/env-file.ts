import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';

/**
 * The variables every entry point (API, worker, CLI, `db:migrate`) starts from: the
 * environment over the `.env` file, so an exported variable always wins. The file is
 * DGASCOPE_ENV_FILE if set ("none": no file), else the first `.env` found from the current
 * directory upwards (the repository root's, for the npm scripts).
 */
export function envSources(environment: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): NodeJS.ProcessEnv {
  const file = envFile(environment.DGASCOPE_ENV_FILE, cwd);
  if (!file) return environment;
  return { ...parseEnv(readFileSync(file, 'utf8')), ...environment };
}

function envFile(setting: string | undefined, cwd: string): string | null {
  if (setting === 'none') return null;
  if (setting) return path.resolve(cwd, setting);
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.env');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return null;
  }
}
