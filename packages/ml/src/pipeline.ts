import { prepareData, type LabeledDomain, type PrepareOptions, type PreparedData, type Sample } from './dataset';
import { evaluate, type Evaluation } from './evaluate';
import { stratifiedSplit, type Split, type SplitOptions } from './split';
import { train, type TrainOptions, type TrainResult } from './train';

export interface TrainClassifierOptions extends PrepareOptions {
  split?: SplitOptions;
  train?: Omit<TrainOptions, 'inputForm'>;
}

export interface TrainClassifierResult extends TrainResult {
  prepared: Omit<PreparedData, 'samples'>;
  split: Split<Sample>;
  /** Test-split evaluation, also stored in model.meta.metrics. */
  test: Evaluation | null;
}

/** The whole recipe: prepare (normalise, reduce, dedupe, label policy) → split → train → evaluate on test. */
export async function trainClassifier(data: Iterable<LabeledDomain>, options: TrainClassifierOptions = {}): Promise<TrainClassifierResult> {
  const { samples, ...prepared } = prepareData(data, options);
  const split = stratifiedSplit(samples, options.split);
  const warm = options.train?.warmStart;
  if (warm && JSON.stringify(warm.meta.inputForm) !== JSON.stringify(prepared.inputForm)) {
    throw new Error(
      `warm start: the model reads ${JSON.stringify(warm.meta.inputForm)} inputs, the data was prepared as ${JSON.stringify(prepared.inputForm)}`,
    );
  }
  const result = await train({ train: split.train, validation: split.validation }, { ...options.train, inputForm: prepared.inputForm });
  const test = split.test.length > 0 ? evaluate(result.model, split.test) : null;
  result.model.meta.metrics = test;
  return { ...result, prepared, split, test };
}
