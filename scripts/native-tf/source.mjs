// The libtensorflow source (wheel, tarball or directory), unpacked and normalised.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Fail } from './errors.mjs';
import { run, which } from './files.mjs';

// Wheel members we need (TF 2.9: C API in _pywrap_tensorflow_internal.so; later: libtensorflow_cc.so.2;
// ctstring headers moved from tensorflow/core/platform to tensorflow/tsl/platform in 2.11+).
export const WHEEL_PATTERNS = [
  'tensorflow/libtensorflow_framework.so.2',
  'tensorflow/libtensorflow_cc.so.2',
  'tensorflow/python/_pywrap_tensorflow_internal.so',
  'tensorflow/include/tensorflow/c/*',
  'tensorflow/include/tensorflow/core/platform/*',
  'tensorflow/include/tensorflow/tsl/c/*',
  'tensorflow/include/tensorflow/tsl/platform/*',
  'tensorflow/include/tsl/c/*',
  'tensorflow/include/tsl/platform/*',
  '*.dist-info/METADATA',
];

export function extractWheel(whl, dest, tfjsNodeDir) {
  if (which('unzip')) {
    const r = run('unzip', ['-q', '-o', whl, ...WHEEL_PATTERNS, '-d', dest]);
    // 11 = some patterns matched nothing (expected: not every layout has every member)
    if (r.status === 0 || r.status === 11) return;
    throw new Fail(1, `unzip failed on ${whl}:\n${r.out}`);
  }
  // No unzip: adm-zip is a dependency of tfjs-node (loads the whole archive in memory).
  const AdmZip = createRequire(path.join(tfjsNodeDir, 'package.json'))('adm-zip');
  const zip = new AdmZip(whl);
  const res = WHEEL_PATTERNS.map((p) => new RegExp('^' + p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$'));
  for (const e of zip.getEntries()) if (!e.isDirectory && res.some((r) => r.test(e.entryName))) zip.extractEntryTo(e, dest, true, true);
}

export function extractTarball(tgz, dest) {
  const r = run('tar', ['-xzf', tgz, '-C', dest]);
  if (!r.ok) throw new Fail(1, `tar failed on ${tgz}:\n${r.out}`);
}

/** Normalise an unpacked source into { kind, version, capiLib, frameworkLib, includeRoot, libDir } */
export function inspectTree(root, hintName) {
  // wheel / site-packages layout
  const tfdir = [path.join(root, 'tensorflow'), root].find(
    (d) => fs.existsSync(path.join(d, 'libtensorflow_framework.so.2')) && fs.existsSync(path.join(d, 'include')),
  );
  if (tfdir) {
    const cc = path.join(tfdir, 'libtensorflow_cc.so.2');
    const pywrap = path.join(tfdir, 'python', '_pywrap_tensorflow_internal.so');
    const capiLib = fs.existsSync(cc) ? cc : fs.existsSync(pywrap) ? pywrap : null;
    if (!capiLib)
      throw new Fail(
        3,
        `${root}: no library carrying the TensorFlow C API (looked for tensorflow/libtensorflow_cc.so.2 and tensorflow/python/_pywrap_tensorflow_internal.so)`,
      );
    let version = null;
    const distInfoRoot = path.dirname(tfdir);
    for (const d of fs.existsSync(distInfoRoot) ? fs.readdirSync(distInfoRoot) : []) {
      if (!/^(tensorflow|tensorflow_cpu|tensorflow_gpu|intel_tensorflow|tensorflow_intel)-.*\.dist-info$/i.test(d)) continue;
      const meta = path.join(distInfoRoot, d, 'METADATA');
      const m = fs.existsSync(meta) && /^Version:\s*(\S+)/m.exec(fs.readFileSync(meta, 'utf8'));
      if (m) {
        version = m[1];
        break;
      }
    }
    version ??= /-(\d+\.\d+\.\d+)[-.]/.exec(hintName ?? '')?.[1] ?? null;
    return {
      kind: 'wheel',
      version,
      capiLib,
      frameworkLib: path.join(tfdir, 'libtensorflow_framework.so.2'),
      includeRoot: path.join(tfdir, 'include'),
    };
  }
  // official libtensorflow tarball layout
  const libDir = path.join(root, 'lib');
  if (fs.existsSync(libDir) && fs.existsSync(path.join(root, 'include', 'tensorflow', 'c', 'c_api.h'))) {
    const files = fs.readdirSync(libDir);
    const main = files.map((f) => /^libtensorflow\.so\.(\d+\.\d+\.\d+)$/.exec(f)).find(Boolean);
    const fw = files.map((f) => /^libtensorflow_framework\.so\.(\d+\.\d+\.\d+)$/.exec(f)).find(Boolean);
    if (!main || !fw)
      throw new Fail(1, `${root}/lib: expected libtensorflow.so.X.Y.Z and libtensorflow_framework.so.X.Y.Z, found ${files.join(', ')}`);
    return {
      kind: 'tarball',
      version: main[1],
      capiLib: path.join(libDir, main[0]),
      frameworkLib: path.join(libDir, fw[0]),
      includeRoot: path.join(root, 'include'),
      libDir,
    };
  }
  throw new Fail(
    1,
    `${root}: not a TensorFlow wheel/site-packages tree (tensorflow/libtensorflow_framework.so.2 + tensorflow/include) nor a libtensorflow tarball tree (lib/ + include/tensorflow/c/c_api.h)`,
  );
}
