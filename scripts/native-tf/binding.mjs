// What tfjs-node's binding needs: the C-API symbols, the headers, binding.gyp's stub line, the CPython stub.
import fs from 'node:fs';
import path from 'node:path';
import { Fail } from './errors.mjs';
import { walk } from './files.mjs';

export function requiredSymbols(tfjsNodeDir, includeRoot) {
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
export function headerClosure(includeRoot, bindingDir) {
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

// The marker of the patched line, recognised on re-runs: kept as the first installs wrote it.
export const GYP_STUB_LINE =
  "'-Wl,--no-as-needed', '-ltfjs_pystub', # added by dgascope scripts/native-tf.mjs (CPython stubs for the wheel's C-API library)";
/** Add (or remove) the stub library to the Linux link line of tfjs-node's binding.gyp. */
export function patchBindingGyp(text, needStub) {
  const without = text.replace(new RegExp(`\\n\\s*${GYP_STUB_LINE.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), '');
  if (!needStub) return without;
  const anchor = /('-ltensorflow_framework',)/;
  if (!anchor.test(without))
    throw new Fail(5, "tfjs-node's binding.gyp has no '-ltensorflow_framework' entry to link the CPython stub after");
  return without.replace(anchor, `$1\n            ${GYP_STUB_LINE}`);
}

export const isPySym = (s) => /^_?Py/.test(s);
export function pystubSource(names) {
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
