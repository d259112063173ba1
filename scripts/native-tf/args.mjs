// Command-line arguments.
import { Fail } from './errors.mjs';

export function parseArgs(argv) {
  const o = { package: 'tfjs-node', check: false, force: false, allowVersionMismatch: false, keepStaging: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Fail(1, `${a} needs a value`);
      return v;
    };
    if (a === '--from') o.from = val();
    else if (a === '--prefix') o.prefix = val();
    else if (a === '--package') o.package = val().replace(/^@tensorflow\//, '');
    else if (a === '--check') o.check = true;
    else if (a === '--force') o.force = true;
    else if (a === '--allow-version-mismatch') o.allowVersionMismatch = true;
    else if (a === '--keep-staging') o.keepStaging = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new Fail(1, `unknown argument ${a} (see --help)`);
  }
  return o;
}
export const USAGE = `usage: node scripts/native-tf/main.mjs --from <wheel.whl | libtensorflow-*.tar.gz | dir> [--prefix <repo>]
       [--package tfjs-node|tfjs-node-gpu] [--check] [--force] [--allow-version-mismatch] [--keep-staging]
  --from      TensorFlow wheel (e.g. tensorflow_cpu-2.9.1-...-manylinux...x86_64.whl), official libtensorflow tarball, or a directory
  --prefix    project whose node_modules gets the backend (default: this repository)
  --package   tfjs-node (default) or tfjs-node-gpu (needs a GPU libtensorflow: the 'tensorflow' wheel or the -gpu- tarball)
  --check     only inspect the source (version, platform, symbols); change nothing
  --force     rebuild even when the same source is already installed`;
