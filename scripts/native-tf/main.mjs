#!/usr/bin/env node
// Install the native TensorFlow backend (@tensorflow/tfjs-node) from a libtensorflow you supply,
// without tfjs-node's download from Google storage (air-gapped machines, mirrors that only carry
// npm/PyPI). See docs/native-tf.md.
//
//   node scripts/native-tf/main.mjs --from <source> [--prefix <dir>] [--package tfjs-node|tfjs-node-gpu]
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
//
// One concern a file beside this one: args, source (unpack and inspect), elf, binding, toolchain,
// files, verify, errors; this file is the install, step by step.
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { USAGE, parseArgs } from './args.mjs';
import { headerClosure, isPySym, patchBindingGyp, pystubSource, requiredSymbols } from './binding.mjs';
import { ELF_MACHINE, elfInfo } from './elf.mjs';
import { Fail, log } from './errors.mjs';
import { copyOrMove, run, sha256File } from './files.mjs';
import { extractTarball, extractWheel, inspectTree } from './source.mjs';
import { preflightToolchain } from './toolchain.mjs';
import { verify } from './verify.mjs';

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
  const prefix = path.resolve(opts.prefix ?? path.join(here, '..', '..'));
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
          'Stubs for CPython symbols referenced by _pywrap_tensorflow_internal.so; generated by scripts/native-tf/. Never called by the C API.\n',
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
