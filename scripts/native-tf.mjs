#!/usr/bin/env node
// Install the native TensorFlow backend (@tensorflow/tfjs-node) from a libtensorflow you supply,
// without tfjs-node's download from Google storage (air-gapped machines, mirrors that only carry
// npm/PyPI). See docs/native-tf.md.
//
//   node scripts/native-tf.mjs --from <source> [--prefix <dir>] [--package tfjs-node|tfjs-node-gpu]
//                              [--check] [--force] [--allow-version-mismatch] [--keep-staging]
//
// <source> is one of
//   - a TensorFlow wheel from PyPI, e.g. tensorflow_cpu-2.9.1-cp310-cp310-manylinux...x86_64.whl
//     (pip download --no-deps --only-binary=:all: --python-version 3.10 --platform manylinux2014_x86_64 tensorflow-cpu==2.9.1)
//   - the official tarball libtensorflow-cpu-linux-x86_64-2.9.1.tar.gz (or the -gpu- one)
//   - a directory: an unpacked wheel / site-packages (holding tensorflow/), or an unpacked tarball (lib/ + include/)
//
// What it does: checks the version (tfjs-node 4.22.0 wants libtensorflow 2.9.x), checks that the
// libraries export every TF_/TFE_ C-API function tfjs-node's binding calls (lists the missing ones),
// stages them as node_modules/@tensorflow/tfjs-node/deps/{lib,include} (the layout of Google's
// tarball), builds the addon with node-gyp from local Node headers, and loads it to verify.
// The wheels' C API lives in tensorflow/python/_pywrap_tensorflow_internal.so (the 2.9 wheels) or
// libtensorflow_cc.so.2 (e.g. the 2.15 wheels); the former has undefined CPython symbols that are never called
// from the C API, so a small stub library (libtfjs_pystub.so, built here, aborts with a message
// if ever called) is linked into the addon, via one marked line in tfjs-node's binding.gyp.
// Idempotent: a marker deps/native-tf.json records what was installed; re-running with the same
// source only re-verifies. Linux x86-64/arm64 only. No network access, except npm's registry when
// @tensorflow/tfjs-node itself is missing from node_modules.
//
// Exit codes: 0 ok, 1 usage/other, 2 wrong version/platform, 3 missing symbols, 4 no toolchain/headers,
// 5 build failed, 6 built but does not load.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

class Fail extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}
const log = (...a) => console.error('[native-tf]', ...a);

// ---------------------------------------------------------------- arguments
function parseArgs(argv) {
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
const USAGE = `usage: node scripts/native-tf.mjs --from <wheel.whl | libtensorflow-*.tar.gz | dir> [--prefix <repo>]
       [--package tfjs-node|tfjs-node-gpu] [--check] [--force] [--allow-version-mismatch] [--keep-staging]
  --from      TensorFlow wheel (e.g. tensorflow_cpu-2.9.1-...-manylinux...x86_64.whl), official libtensorflow tarball, or a directory
  --prefix    project whose node_modules gets the backend (default: this repository)
  --package   tfjs-node (default) or tfjs-node-gpu (needs a GPU libtensorflow: the 'tensorflow' wheel or the -gpu- tarball)
  --check     only inspect the source (version, platform, symbols); change nothing
  --force     rebuild even when the same source is already installed`;

// ---------------------------------------------------------------- ELF dynamic symbols (no binutils needed)
function elfInfo(file) {
  const fd = fs.openSync(file, 'r');
  try {
    const read = (pos, len) => {
      const b = Buffer.alloc(len);
      fs.readSync(fd, b, 0, len, Number(pos));
      return b;
    };
    const h = read(0, 64);
    if (h.readUInt32BE(0) !== 0x7f454c46) throw new Fail(2, `${file} is not an ELF shared library (Linux builds only)`);
    if (h[4] !== 2 || h[5] !== 1) throw new Fail(2, `${file}: only 64-bit little-endian ELF is supported`);
    const machine = h.readUInt16LE(18);
    const shoff = h.readBigUInt64LE(40),
      shentsize = h.readUInt16LE(58),
      shnum = h.readUInt16LE(60);
    const sh = read(shoff, shentsize * shnum);
    const sec = (i) => ({
      type: sh.readUInt32LE(i * shentsize + 4),
      offset: sh.readBigUInt64LE(i * shentsize + 24),
      size: Number(sh.readBigUInt64LE(i * shentsize + 32)),
      link: sh.readUInt32LE(i * shentsize + 40),
    });
    let dynsym = null,
      dynamic = null;
    for (let i = 0; i < shnum; i++) {
      const s = sec(i);
      if (s.type === 11) dynsym = s;
      if (s.type === 6) dynamic = s;
    }
    if (!dynsym) throw new Fail(2, `${file} has no dynamic symbol table`);
    const strs = sec(dynsym.link);
    const str = read(strs.offset, strs.size);
    const cstr = (off) => str.toString('latin1', off, str.indexOf(0, off));
    const syms = read(dynsym.offset, dynsym.size);
    const defined = new Set(),
      undefinedStrong = new Set();
    for (let p = 0; p + 24 <= syms.length; p += 24) {
      const name = cstr(syms.readUInt32LE(p));
      if (!name) continue;
      const bind = syms[p + 4] >> 4,
        shndx = syms.readUInt16LE(p + 6);
      if (shndx !== 0) {
        if (bind === 1 || bind === 2) defined.add(name);
      } else if (bind === 1) undefinedStrong.add(name);
    }
    let soname = null;
    const needed = [];
    if (dynamic) {
      const d = read(dynamic.offset, dynamic.size);
      for (let p = 0; p + 16 <= d.length; p += 16) {
        const tag = Number(d.readBigInt64LE(p)),
          v = Number(d.readBigUInt64LE(p + 8));
        if (tag === 0) break;
        if (tag === 14) soname = cstr(v);
        if (tag === 1) needed.push(cstr(v));
      }
    }
    return { machine, defined, undefinedStrong, soname, needed };
  } finally {
    fs.closeSync(fd);
  }
}
const ELF_MACHINE = { x64: 62, arm64: 183 };

// ---------------------------------------------------------------- helpers
function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28, ...opts });
  return { ok: r.status === 0, status: r.status, out: (r.stdout ?? '') + (r.stderr ?? ''), error: r.error };
}
const which = (cmd) => {
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
function walk(dir, fn, rel = '') {
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) walk(dir, fn, r);
    else fn(r);
  }
}
function sha256File(file) {
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
function copyOrMove(src, dst, move) {
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

// ---------------------------------------------------------------- source → staging
// Wheel members we need (TF 2.9: C API in _pywrap_tensorflow_internal.so; later: libtensorflow_cc.so.2;
// ctstring headers moved from tensorflow/core/platform to tensorflow/tsl/platform in 2.11+).
const WHEEL_PATTERNS = [
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

function extractWheel(whl, dest, tfjsNodeDir) {
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

function extractTarball(tgz, dest) {
  const r = run('tar', ['-xzf', tgz, '-C', dest]);
  if (!r.ok) throw new Fail(1, `tar failed on ${tgz}:\n${r.out}`);
}

/** Normalise an unpacked source into { kind, version, capiLib, frameworkLib, includeRoot, libDir } */
function inspectTree(root, hintName) {
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

// ---------------------------------------------------------------- what the binding needs
function requiredSymbols(tfjsNodeDir, includeRoot) {
  const bindingDir = path.join(tfjsNodeDir, 'binding');
  let src = '';
  for (const f of fs.readdirSync(bindingDir)) if (/\.(cc|h)$/.test(f)) src += fs.readFileSync(path.join(bindingDir, f), 'utf8');
  const referenced = new Set([...src.matchAll(/\b(TFE?_[A-Za-z0-9_]+)\s*\(/g)].map((m) => m[1]));
  // exported C-API functions declared in the headers the binding includes (inline helpers like
  // TF_TString_* and the binding's own TF_AutoStatus/TFE_AutoOp classes are not library symbols)
  let hdr = '';
  walk(path.join(includeRoot, 'tensorflow', 'c'), (r) => {
    if (r.endsWith('.h')) hdr += fs.readFileSync(path.join(includeRoot, 'tensorflow', 'c', r), 'utf8');
  });
  const exported = new Set([...hdr.matchAll(/TF_CAPI_EXPORT\s+extern\s+[^;(]*?\b(TFE?_[A-Za-z0-9_]+)\s*\(/g)].map((m) => m[1]));
  const required = [...referenced].filter((s) => exported.has(s)).sort();
  if (required.length < 20)
    throw new Fail(
      1,
      `only ${required.length} exported TF_/TFE_ functions referenced by ${bindingDir}: headers or binding sources look wrong`,
    );
  return required;
}

/** The headers the binding compiles against (tensorflow/c/c_api.h, tensorflow/c/eager/c_api.h) and everything they include. */
function headerClosure(includeRoot, bindingDir) {
  const seen = new Set(),
    todo = ['tensorflow/c/c_api.h', 'tensorflow/c/eager/c_api.h'];
  for (const f of fs.readdirSync(bindingDir))
    if (/\.(cc|h)$/.test(f)) {
      for (const m of fs.readFileSync(path.join(bindingDir, f), 'utf8').matchAll(/^\s*#\s*include\s+"((?:tensorflow|tsl)\/[^"]+)"/gm))
        todo.push(m[1]);
    }
  while (todo.length) {
    const h = todo.pop();
    if (seen.has(h)) continue;
    const file = path.join(includeRoot, h);
    if (!fs.existsSync(file)) {
      if (/^(tensorflow|tsl)\//.test(h)) throw new Fail(1, `header ${h} (needed to build the binding) is missing from ${includeRoot}`);
      continue;
    } // system headers
    seen.add(h);
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/^\s*#\s*include\s+"([^"]+)"/gm)) todo.push(m[1]);
  }
  return [...seen];
}

const GYP_STUB_LINE =
  "'-Wl,--no-as-needed', '-ltfjs_pystub', # added by dgascope scripts/native-tf.mjs (CPython stubs for the wheel's C-API library)";
/** Add (or remove) the stub library to the Linux link line of tfjs-node's binding.gyp. */
function patchBindingGyp(text, needStub) {
  const without = text.replace(new RegExp(`\\n\\s*${GYP_STUB_LINE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), '');
  if (!needStub) return without;
  const anchor = /('-ltensorflow_framework',)/;
  if (!anchor.test(without))
    throw new Fail(5, "tfjs-node's binding.gyp has no '-ltensorflow_framework' entry to link the CPython stub after");
  return without.replace(anchor, `$1\n            ${GYP_STUB_LINE}`);
}

const isPySym = (s) => /^_?Py/.test(s);
function pystubSource(names) {
  const lines = [
    '#include <stdio.h>',
    '#include <stdlib.h>',
    'static void die(const char *n) { fprintf(stderr, "libtfjs_pystub: CPython function %s was called by the TensorFlow wheel library; it is not available under Node.js\\n", n); abort(); }',
  ];
  for (const s of [...names].sort()) {
    if (/(_Type|_Struct)$/.test(s) || s.startsWith('PyExc_')) lines.push(`char ${s}[512] __attribute__((aligned(64)));`);
    else if (s === 'Py_IsInitialized') lines.push('int Py_IsInitialized(void) { return 0; }');
    else lines.push(`void ${s}(void) { die("${s}"); }`);
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- toolchain
function findNodeDir() {
  const cands = [
    process.env.npm_config_nodedir,
    path.resolve(path.dirname(process.execPath), '..'),
    path.join(os.homedir(), '.cache', 'node-gyp', process.versions.node),
    path.join(os.homedir(), '.node-gyp', process.versions.node),
  ].filter(Boolean);
  return (
    cands.find(
      (d) => fs.existsSync(path.join(d, 'include', 'node', 'node_api.h')) && fs.existsSync(path.join(d, 'include', 'node', 'common.gypi')),
    ) ?? null
  );
}
function findNodeGyp() {
  const cands = [
    process.env.npm_config_node_gyp,
    path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const npmRoot = run('npm', ['root', '-g']);
  if (npmRoot.ok) cands.push(path.join(npmRoot.out.trim().split('\n').pop(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return cands.filter(Boolean).find((p) => fs.existsSync(p)) ?? null;
}
function preflightToolchain() {
  const problems = [];
  const cxx = process.env.CXX || ['c++', 'g++', 'clang++'].find(which);
  if (!cxx) problems.push('no C++ compiler (c++/g++/clang++): Debian/Ubuntu: apt-get install -y g++ make');
  const cc = process.env.CC || ['cc', 'gcc', 'clang'].find(which);
  if (!cc) problems.push('no C compiler (cc/gcc/clang)');
  if (!which('make')) problems.push('no make: apt-get install -y make');
  if (!['python3', 'python'].some(which)) problems.push('no python3 (node-gyp needs it)');
  const nodedir = findNodeDir();
  if (!nodedir)
    problems.push(
      `no Node.js ${process.versions.node} headers (include/node/node_api.h): install them (Debian: the nodejs package's headers, /usr/include/node), or unpack node-v${process.versions.node}-headers.tar.gz and set npm_config_nodedir=<that dir>`,
    );
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) problems.push('node-gyp not found (it ships with npm): set npm_config_node_gyp=/path/to/node-gyp/bin/node-gyp.js');
  if (problems.length) throw new Fail(4, 'cannot build the addon:\n  - ' + problems.join('\n  - '));
  return { cc, nodedir, nodeGyp };
}

// ---------------------------------------------------------------- verify
function verify(prefix, pkg) {
  const code =
    `const tf=require(${JSON.stringify(`@tensorflow/${pkg}`)});` +
    `const b=tf.getBackend();const t=tf.tensor2d([[1,2],[3,4]]);const v=Array.from(t.matMul(t).dataSync());` +
    `console.log(JSON.stringify({backend:b,tfVersion:tf.backend().binding.TF_Version,matmul:v}))`;
  const r = run(process.execPath, ['-e', code], { cwd: prefix, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  const line = r.out.split('\n').find((l) => l.startsWith('{"backend"'));
  if (!r.ok || !line) return { ok: false, out: r.out };
  const info = JSON.parse(line);
  return { ok: info.backend === 'tensorflow' && info.matmul.join() === '7,10,15,22', info, out: r.out };
}

// ---------------------------------------------------------------- main
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.help) {
    console.log(USAGE);
    return;
  }
  if (!opts.from) throw new Fail(1, 'missing --from <wheel|tarball|dir>\n' + USAGE);
  if (!['tfjs-node', 'tfjs-node-gpu'].includes(opts.package))
    throw new Fail(1, `--package must be tfjs-node or tfjs-node-gpu, not ${opts.package}`);
  if (process.platform !== 'linux')
    throw new Fail(2, `only Linux is supported (this is ${process.platform}); on macOS/Windows use the ordinary npm install with internet`);
  if (!ELF_MACHINE[process.arch]) throw new Fail(2, `unsupported CPU architecture ${process.arch}`);

  const here = path.dirname(fileURLToPath(import.meta.url));
  const prefix = path.resolve(opts.prefix ?? path.join(here, '..'));
  const source = path.resolve(opts.from);
  if (!fs.existsSync(source)) throw new Fail(1, `--from ${source}: no such file or directory`);

  // tfjs-node itself (an optionalDependency: npm drops it when its download fails, so put it back without scripts)
  const pkgDir = path.join(prefix, 'node_modules', '@tensorflow', opts.package);
  if (!fs.existsSync(path.join(pkgDir, 'package.json')) && !opts.check) {
    const want = (() => {
      try {
        return JSON.parse(fs.readFileSync(path.join(prefix, 'node_modules', '@tensorflow', 'tfjs', 'package.json'), 'utf8')).version;
      } catch {
        return '4.22.0';
      }
    })();
    log(`@tensorflow/${opts.package} is not installed in ${prefix}; installing ${want} without its install script (no download)`);
    // npm re-adds every missing optional dependency, so the other native package comes back too,
    // without its addon: requiring it would register tfjs kernels and then fail (155 "already
    // registered" warnings when the working one loads next). Remove it again if it was absent.
    const other = path.join(prefix, 'node_modules', '@tensorflow', opts.package === 'tfjs-node' ? 'tfjs-node-gpu' : 'tfjs-node');
    const otherBefore = fs.existsSync(path.join(other, 'package.json'));
    const r = run('npm', ['install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `@tensorflow/${opts.package}@${want}`], {
      cwd: prefix,
      stdio: 'inherit',
    });
    if (!r.ok) throw new Fail(1, `npm install @tensorflow/${opts.package}@${want} --ignore-scripts failed in ${prefix}`);
    if (!otherBefore && fs.existsSync(other)) {
      fs.rmSync(other, { recursive: true, force: true });
      log(`removed ${path.relative(prefix, other)} again (npm re-added it without its native library)`);
    }
  }
  if (!fs.existsSync(path.join(pkgDir, 'package.json')))
    throw new Fail(1, `${pkgDir} not found: install @tensorflow/${opts.package} first (npm install --ignore-scripts)`);
  const pkgJson = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const constants = fs.readFileSync(path.join(pkgDir, 'scripts', 'deps-constants.js'), 'utf8');
  const wantTf = /LIBTENSORFLOW_VERSION\s*=\s*'([^']+)'/.exec(constants)?.[1] ?? '2.9.1';

  // unpack (only the members we need) into a staging dir next to deps/ (same filesystem: renames, not copies)
  const staging = path.join(pkgDir, '.native-tf-staging');
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    let tree = source,
      fromDir = false;
    const st = fs.statSync(source);
    const srcSha = st.isDirectory() ? null : sha256File(source);
    const markerPath = path.join(pkgDir, 'deps', 'native-tf.json');
    if (!opts.force && !opts.check && srcSha && fs.existsSync(markerPath)) {
      const old = JSON.parse(fs.readFileSync(markerPath, 'utf8'));
      if (
        old.sourceId === `sha256:${srcSha}` &&
        old.package === `@tensorflow/${opts.package}@${pkgJson.version}` &&
        old.napi === process.versions.napi
      ) {
        const v = verify(prefix, opts.package);
        if (v.ok) {
          log(
            `already installed from ${old.source} (TensorFlow ${v.info.tfVersion}); backend 'tensorflow' loads. Nothing to do (--force rebuilds).`,
          );
          return;
        }
        log('already installed, but it does not load any more: reinstalling');
      }
    }
    if (st.isDirectory()) fromDir = true;
    else if (/\.whl$/i.test(source)) {
      log(`unpacking wheel ${path.basename(source)}`);
      extractWheel(source, staging, pkgDir);
      tree = staging;
    } else if (/\.(tar\.gz|tgz)$/i.test(source)) {
      log(`unpacking tarball ${path.basename(source)}`);
      extractTarball(source, staging);
      tree = staging;
    } else throw new Fail(1, `--from ${source}: expected a .whl, a .tar.gz or a directory`);
    const src = inspectTree(tree, path.basename(source));
    log(`source: ${src.kind}, TensorFlow ${src.version ?? '(version unknown)'}; C API library ${path.basename(src.capiLib)}`);

    // version
    const mm = (v) => v?.split('.').slice(0, 2).join('.');
    if (mm(src.version) !== mm(wantTf)) {
      const msg =
        `wrong TensorFlow version: the source is ${src.version ?? 'of unknown version'}, @tensorflow/${opts.package} ${pkgJson.version} is built for libtensorflow ${wantTf}.\n` +
        `  Get the matching wheel: pip download --no-deps --only-binary=:all: --python-version 3.10 --platform manylinux2014_x86_64 tensorflow-cpu==${wantTf}`;
      if (!opts.allowVersionMismatch)
        throw new Fail(
          2,
          msg + '\n  (--allow-version-mismatch tries anyway: the C API is stable across 2.x, but this combination is untested)',
        );
      log('WARNING: ' + msg.split('\n')[0]);
    }
    // platform + symbols
    const capi = elfInfo(src.capiLib),
      fw = elfInfo(src.frameworkLib);
    if (capi.machine !== ELF_MACHINE[process.arch])
      throw new Fail(2, `${path.basename(src.capiLib)} is built for ELF machine ${capi.machine}, this Node.js is ${process.arch}`);
    const required = requiredSymbols(pkgDir, src.includeRoot);
    const missing = required.filter((s) => !capi.defined.has(s) && !fw.defined.has(s));
    if (missing.length) {
      throw new Fail(
        3,
        `the source does not export ${missing.length} of the ${required.length} C-API functions tfjs-node's binding calls ` +
          `(checked ${path.basename(src.capiLib)} and ${path.basename(src.frameworkLib)}):\n  ${missing.join('\n  ')}`,
      );
    }
    const pySyms = [...capi.undefinedStrong].filter(isPySym);
    log(
      `symbols: all ${required.length} TF_/TFE_ functions the binding calls are exported` +
        (pySyms.length ? `; ${pySyms.length} CPython symbols to stub` : ''),
    );
    if (opts.check) {
      log('--check: source is usable; nothing changed');
      return;
    }

    // idempotency
    const depsDir = path.join(pkgDir, 'deps');
    const markerFile = path.join(depsDir, 'native-tf.json');
    const srcId = st.isDirectory()
      ? `dir:${source}:${fs.statSync(src.capiLib).size}:${fs.statSync(src.capiLib).mtimeMs}`
      : `sha256:${srcSha}`;
    const marker = {
      source: path.basename(source),
      sourceId: srcId,
      tfVersion: src.version,
      kind: src.kind,
      capiLib: path.basename(src.capiLib),
      package: `@tensorflow/${opts.package}@${pkgJson.version}`,
      node: process.versions.node,
      napi: process.versions.napi,
    };
    // node-pre-gyp builds for, and tfjs-node loads from, the highest listed N-API version this Node supports
    const napiBuild = Math.max(...(pkgJson.binary.napi_versions ?? [3]).filter((n) => n <= Number(process.versions.napi)));
    const addon = path.join(
      pkgDir,
      pkgJson.binary.module_path.replace('{napi_build_version}', String(napiBuild)),
      `${pkgJson.binary.module_name}.node`,
    );
    if (!opts.force && fs.existsSync(markerFile) && fs.existsSync(addon)) {
      const old = JSON.parse(fs.readFileSync(markerFile, 'utf8'));
      if (old.sourceId === marker.sourceId && old.package === marker.package && old.napi === marker.napi) {
        const v = verify(prefix, opts.package);
        if (v.ok) {
          log(
            `already installed from ${old.source} (TensorFlow ${v.info.tfVersion}); backend 'tensorflow' loads. Nothing to do (--force rebuilds).`,
          );
          return;
        }
        log('already installed, but it does not load any more: rebuilding');
      }
    }
    const tc = preflightToolchain();

    // stage deps/ in the layout of Google's libtensorflow tarball
    const newDeps = path.join(staging, 'deps');
    const lib = path.join(newDeps, 'lib');
    fs.mkdirSync(lib, { recursive: true });
    for (const h of headerClosure(src.includeRoot, path.join(pkgDir, 'binding')))
      copyOrMove(path.join(src.includeRoot, h), path.join(newDeps, 'include', h), false);
    const move = !fromDir;
    const V = wantTf;
    let needStub = false;
    if (src.kind === 'tarball') {
      for (const f of fs.readdirSync(src.libDir)) {
        const p = path.join(src.libDir, f),
          ls = fs.lstatSync(p);
        if (ls.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(p), path.join(lib, f));
        else copyOrMove(p, path.join(lib, f), move);
      }
      if (src.version !== V)
        for (const base of ['libtensorflow', 'libtensorflow_framework'])
          fs.symlinkSync(`${base}.so.${src.version}`, path.join(lib, `${base}.so.${V}`));
    } else {
      // the C-API library keeps its own file name (= its SONAME, what the addon will record as NEEDED)
      const capiName = capi.soname ?? path.basename(src.capiLib);
      copyOrMove(src.capiLib, path.join(lib, capiName), move);
      fs.symlinkSync(capiName, path.join(lib, `libtensorflow.so.${V}`)); // what tfjs-node's install.js looks for
      fs.symlinkSync(`libtensorflow.so.${V}`, path.join(lib, 'libtensorflow.so')); // what -ltensorflow links
      copyOrMove(src.frameworkLib, path.join(lib, 'libtensorflow_framework.so.2'), move);
      fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, `libtensorflow_framework.so.${V}`));
      fs.symlinkSync('libtensorflow_framework.so.2', path.join(lib, 'libtensorflow_framework.so'));
      if (pySyms.length) {
        const c = path.join(staging, 'pystub.c');
        fs.writeFileSync(c, pystubSource(pySyms));
        const r = run(tc.cc, ['-shared', '-fPIC', '-O1', '-Wl,-soname,libtfjs_pystub.so', '-o', path.join(lib, 'libtfjs_pystub.so'), c]);
        if (!r.ok) throw new Fail(5, `compiling the CPython stub failed:\n${r.out}`);
        fs.writeFileSync(
          path.join(lib, 'libtfjs_pystub.README'),
          'Stubs for CPython symbols referenced by _pywrap_tensorflow_internal.so; generated by scripts/native-tf.mjs. Never called by the C API.\n',
        );
        needStub = true;
      }
    }
    fs.writeFileSync(
      path.join(newDeps, 'native-tf.json'),
      JSON.stringify({ ...marker, installedAt: new Date().toISOString() }, null, 1) + '\n',
    );
    const oldDeps = path.join(staging, 'deps.previous');
    if (fs.existsSync(depsDir)) fs.renameSync(depsDir, oldDeps);
    fs.renameSync(newDeps, depsDir);
    const addonBackup = path.join(staging, 'addon.previous');
    if (fs.existsSync(addon)) fs.copyFileSync(addon, addonBackup);
    // make the addon itself depend on the stub (so the loader resolves the wheel library's Py* references),
    // in binding.gyp, so that a later `npm rebuild` of tfjs-node links it too
    const gypFile = path.join(pkgDir, 'binding.gyp');
    const gypBefore = fs.readFileSync(gypFile, 'utf8');
    fs.writeFileSync(gypFile, patchBindingGyp(gypBefore, needStub));
    const rollback = () => {
      fs.writeFileSync(gypFile, gypBefore);
      if (!fs.existsSync(oldDeps)) return;
      fs.rmSync(depsDir, { recursive: true, force: true });
      fs.renameSync(oldDeps, depsDir);
      if (fs.existsSync(addonBackup)) {
        fs.mkdirSync(path.dirname(addon), { recursive: true });
        fs.copyFileSync(addonBackup, addon);
      }
      log('restored the previous deps/ and addon');
    };
    log(`staged ${path.relative(prefix, depsDir)}/lib: ${fs.readdirSync(path.join(depsDir, 'lib')).join(', ')}`);

    // build the addon (what tfjs-node's install.js does after its download, minus the download)
    log(`building the addon with node-gyp (nodedir ${tc.nodedir}); takes about a minute`);
    const preGyp = createRequire(path.join(pkgDir, 'package.json')).resolve('@mapbox/node-pre-gyp/bin/node-pre-gyp');
    const b = run(process.execPath, [preGyp, 'rebuild', '--build-from-source', '--build-latest-napi-version-only'], {
      cwd: pkgDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        npm_config_nodedir: tc.nodedir,
        npm_config_node_gyp: tc.nodeGyp,
      },
    });
    if (!b.ok) {
      fs.rmSync(markerFile, { force: true });
      rollback();
      throw new Fail(5, `node-gyp build failed:\n${b.out.split('\n').slice(-40).join('\n')}`);
    }
    for (const d of fs.readdirSync(pkgDir))
      if (d === 'build' || d.startsWith('build-tmp-napi-v')) fs.rmSync(path.join(pkgDir, d), { recursive: true, force: true }); // intermediate objects
    if (!fs.existsSync(addon)) throw new Fail(5, `node-gyp reported success but ${addon} is missing`);

    const v = verify(prefix, opts.package);
    if (!v.ok) {
      fs.rmSync(markerFile, { force: true });
      rollback();
      throw new Fail(6, `the addon was built but does not load as backend 'tensorflow':\n${v.out.split('\n').slice(-30).join('\n')}`);
    }
    log(`ok: require('@tensorflow/${opts.package}') → backend 'tensorflow', TensorFlow ${v.info.tfVersion}, in ${prefix}`);
  } finally {
    if (!opts.keepStaging) fs.rmSync(staging, { recursive: true, force: true });
  }
}

main().catch((e) => {
  if (e instanceof Fail) {
    log('error: ' + e.message);
    process.exit(e.code);
  }
  log(e.stack ?? String(e));
  process.exit(1);
});
