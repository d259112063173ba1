// The toolchain that builds the addon: Node headers, node-gyp, a C++ compiler.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Fail } from './errors.mjs';
import { run, which } from './files.mjs';

export function findNodeDir() {
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
export function findNodeGyp() {
  const cands = [
    process.env.npm_config_node_gyp,
    path.resolve(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  const npmRoot = run('npm', ['root', '-g']);
  if (npmRoot.ok) cands.push(path.join(npmRoot.out.trim().split('\n').pop(), 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return cands.filter(Boolean).find((p) => fs.existsSync(p)) ?? null;
}
export function preflightToolchain() {
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
