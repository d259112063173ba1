// Repro: TensorFlow's fused BlockLSTMV2 kernel, called through tfjs-node's binding, corrupts the
// heap when the process receives signals while the kernel runs (the V8 CPU profiler's SIGPROF, or
// `kill -PROF` from outside); MatMul through the same path survives. Seen with TF 2.9.1 and 2.15.1
// wheels installed by scripts/native-tf/main.mjs. Why fused-blocklstm.patch is not applied (README.md).
//
//   node bench/native/experiments/blocklstm-signals.mjs <blocklstm|matmul> & pid=$!
//   sleep 1.5; while kill -0 $pid 2>/dev/null; do kill -PROF $pid; sleep 0.002; done; wait $pid; echo rc=$?
//   # blocklstm: "corrupted size vs. prev_size" / segfault after 5–60 signals; matmul: prints "done"
//   # (rc 155 afterwards is the next SIGPROF hitting the exiting process: harmless)
// or simply: node --cpu-prof bench/native/experiments/blocklstm-signals.mjs blocklstm
import * as tf from '@tensorflow/tfjs';
import * as ml from '@dgascope/ml';

process.on('SIGPROF', () => {});
await ml.initBackend({ backend: 'tfjs-node' });
const be = tf.backend(),
  b = be.binding;
const op = process.argv[2] ?? 'blocklstm';
const T = 20,
  B = 128,
  I = 129,
  H = 128;
const x = tf.randomNormal([T, B, I]),
  w = tf.randomNormal([I + H, 4 * H], 0, 0.05),
  bias = tf.zeros([4 * H]);
const z = tf.zeros([B, H]),
  zp = tf.zeros([H]);
const a = tf.randomNormal([T * B, I]);
const F = (name, value) => ({ name, type: b.TF_ATTR_FLOAT, value });
const BOOL = (name, value) => ({ name, type: b.TF_ATTR_BOOL, value });
const TYPE = { name: 'T', type: b.TF_ATTR_TYPE, value: b.TF_FLOAT };
for (let k = 0; k < 300; k++) {
  tf.tidy(() => {
    if (op === 'matmul') {
      const m = b.executeOp(
        'MatMul',
        [BOOL('transpose_a', false), BOOL('transpose_b', false), TYPE],
        be.getInputTensorIds([a, tf.slice(w, [0, 0], [I, 4 * H])]),
        1,
      );
      be.createOutputTensor(m[0]).dataSync();
    } else {
      const s = b.createTensor([], b.TF_INT64, new Int32Array([T, 0])); // seq_len_max
      const outs = b.executeOp(
        'BlockLSTMV2',
        [F('cell_clip', -1), BOOL('use_peephole', false), TYPE],
        [s, ...be.getInputTensorIds([x, z, z, w, zp, zp, zp, bias])],
        7,
      );
      b.deleteTensor(s);
      outs.map((m) => be.createOutputTensor(m))[6].dataSync();
    }
  });
}
console.log('done', op);
