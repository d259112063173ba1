import * as tf from '@tensorflow/tfjs';

type NamedTensor = { name: string; tensor: tf.Tensor };

/**
 * RMSprop as Keras (3.x, TensorFlow backend) applies it to our network: v ← ρ·v + (1−ρ)·g²,
 * w ← w − lr·g / √(v + ε), ρ = 0.9, ε = 1e-7 — the same as `tf.train.rmsprop` for every dense
 * weight. The difference is the embedding: its gradient in TensorFlow is a list of slices, one
 * per character occurrence in the batch, and Keras' `square(gradient)` squares each slice before
 * they are summed, so a row's second moment grows by Σ g_occurrence² instead of (Σ g_occurrence)².
 * A character seen n times with gradients of one sign gets a step up to √n times larger than
 * tfjs' dense RMSprop gives it. With identical weights and batches the first update of every other
 * weight agrees to 1e-8 between the two, and this alone made dgascope learn less per epoch than
 * Keras (bench:backends: validation accuracy 0.30 vs 0.42 after one epoch, 0.47 vs 0.56 after two).
 *
 * `squaredSlices(variable, Σ g²)` hands over that per-occurrence sum for a variable before
 * `applyGradients`; a variable without one is updated with the dense g², as Keras does for them.
 */
export class KerasRmsprop extends tf.Optimizer {
  static readonly className = 'KerasRMSprop';

  private readonly velocities = new Map<string, tf.Variable>();
  private readonly sliceSquares = new Map<string, tf.Tensor>();

  constructor(
    /** Read at every step, so a schedule may change it between steps. */
    public learningRate = 0.001,
    readonly rho = 0.9,
    readonly epsilon = 1e-7,
  ) {
    super();
  }

  /** Adds the per-occurrence squared gradient of `variable` for the next update (kept until then). */
  squaredSlices(variable: tf.Variable, squares: tf.Tensor): void {
    const previous = this.sliceSquares.get(variable.name);
    this.sliceSquares.set(variable.name, tf.keep(previous ? tf.add(previous, squares) : squares.clone()));
    previous?.dispose();
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const named = Array.isArray(variableGradients)
      ? variableGradients.map((g) => [g.name, g.tensor] as const)
      : Object.entries(variableGradients).map(([name, t]) => [name, t] as const);
    for (const [name, gradient] of named) {
      if (gradient == null) continue;
      const variable = tf.engine().registeredVariables[name];
      if (!variable) throw new Error(`KerasRmsprop: no variable named ${name}`);
      let velocity = this.velocities.get(name);
      if (!velocity) {
        velocity = tf.tidy(() => tf.variable(tf.zerosLike(variable), false));
        this.velocities.set(name, velocity);
      }
      const v = velocity;
      const squares = this.sliceSquares.get(name);
      tf.tidy(() => {
        const next = tf.add(tf.mul(v, this.rho), tf.mul(squares ?? tf.square(gradient), 1 - this.rho));
        v.assign(next);
        variable.assign(tf.sub(variable, tf.div(tf.mul(gradient, this.learningRate), tf.sqrt(tf.add(next, this.epsilon)))));
      });
    }
    for (const t of this.sliceSquares.values()) t.dispose();
    this.sliceSquares.clear();
    this.incrementIterations();
  }

  override dispose(): void {
    for (const v of this.velocities.values()) v.dispose();
    this.velocities.clear();
    for (const t of this.sliceSquares.values()) t.dispose();
    this.sliceSquares.clear();
  }

  override async getWeights(): Promise<NamedTensor[]> {
    return [...this.velocities].map(([name, tensor]) => ({ name: `${name}/velocity`, tensor }));
  }

  override async setWeights(): Promise<void> {
    throw new Error('KerasRmsprop: restoring optimizer state is not supported');
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { learningRate: this.learningRate, rho: this.rho, epsilon: this.epsilon };
  }
}
