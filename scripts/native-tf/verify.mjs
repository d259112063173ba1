// Loads the installed addon in a fresh process and checks one matmul.
import { run } from './files.mjs';

export function verify(prefix, pkg) {
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
