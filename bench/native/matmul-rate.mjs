// The machine's matmul rate in TensorFlow, the denominator of "fraction of the physical limit" in
// bench:backends: a [1024, 1024] × [1024, 1024] float32 product (2·1024³ FLOP) repeated for about
// --seconds on native TensorFlow (tfjs-node, its default thread pools: every core), after a
// warm-up. Prints one JSON line: GFLOP/s by wall clock, and the cores the process used.
//   node bench/native/matmul-rate.mjs [--seconds 3] [--size 1024]
const argv = process.argv.slice(2);
const opt = (k, d) => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : d;
};
const seconds = Number(opt('seconds', '3')),
  n = Number(opt('size', '1024'));
const ml = await import('@dgascope/ml');
await ml.initBackend({ backend: 'tfjs-node' });
const tf = await import('@tensorflow/tfjs');
const a = tf.randomUniform([n, n], -1, 1, 'float32', 1),
  b = tf.randomUniform([n, n], -1, 1, 'float32', 2);
const once = () => tf.tidy(() => tf.matMul(a, b).dataSync()[0]);
for (let i = 0; i < 3; i++) once();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let products = 0;
while (performance.now() - t0 < seconds * 1000) {
  once();
  products++;
}
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
console.log(
  JSON.stringify({
    size: n,
    products,
    gflopsPerSec: +((products * 2 * n ** 3) / wall / 1e9).toFixed(1),
    cores: +((cpu.user + cpu.system) / 1e6 / wall).toFixed(2),
  }),
);
