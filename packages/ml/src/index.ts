/** @dgascope/ml — the Endgame character-level LSTM DGA family classifier on TensorFlow.js. */
export { CharTokenizer, PAD_INDEX, OOV_INDEX, type TokenizerJSON } from './tokenizer';
export { toModelInput, resolveInputForm, type InputFormOptions, type ResolvedInputForm, type ModelInput } from './input-form';
export {
  prepareData,
  fingerprint,
  sortedLabels,
  countLabels,
  type LabeledDomain,
  type Sample,
  type PrepareOptions,
  type PreparedData,
} from './dataset';
export { stratifiedSplit, type Split, type SplitOptions } from './split';
export { createRng, type Rng } from './rng';
export { classWeights, type ClassWeighting } from './class-weights';
export { epochBatches } from './batches';
export {
  LstmNet,
  resolveConfig,
  predictProbs,
  predictOutputs,
  timeMajorBatch,
  DEFAULT_ARCHITECTURE,
  type ModelConfig,
  type ArchitectureOptions,
  type NetWeights,
} from './model';
export {
  train,
  growWeights,
  TrainingAbortedError,
  LEARNING_RATE_SCHEDULES,
  type LearningRateSchedule,
  type TrainOptions,
  type TrainProgress,
  type TrainResult,
  type TrainData,
  type LossKind,
} from './train';
export { type SamplingOptions } from './sampling';
export { type OutlierExposureOptions } from './outliers';
export {
  computeMetrics,
  binaryMetrics,
  type Metrics,
  type MetricsInput,
  type ClassMetrics,
  type Averages,
  type BinaryMetrics,
  type RocPoint,
  type Misclassified,
} from './metrics';
export {
  evaluate,
  evaluateVerdicts,
  verdicts,
  concatVerdicts,
  pickVerdicts,
  heldOutReport,
  heldOutFromVerdicts,
  leaveFamiliesOut,
  type Evaluation,
  type EvaluateOptions,
  type Verdicts,
  type LeaveOutResult,
  type LeaveOutOptions,
  type HeldOutFamily,
  type HeldOutRates,
  type HeldOutReport,
  type HeldOutAssignment,
  type HeldOutOptions,
} from './evaluate';
export {
  NOVELTY_METHODS,
  DEFAULT_DECISION_OPTIONS,
  DGA_THRESHOLD_METHODS,
  chooseDgaThreshold,
  chooseDgaThresholdBy,
  rejectThreshold,
  noveltyScores,
  fitFeatureGaussian,
  decide,
  dgaScoreOf,
  uniformFamilyWeights,
  DGA_SCORE_PRIORS,
  type DgaScorePrior,
  type NoveltyMethod,
  type DgaThresholdMethod,
  type NoveltyDetector,
  type FeatureGaussian,
  type Decision,
  type DecisionOptions,
  type Verdict,
} from './decision';
export { calibrateDecision } from './calibrate';
export {
  DgaModel,
  effectiveDecision,
  type Scores,
  type ClassifyResult,
  type ClassifyOptions,
  type ModelMeta,
  type EpochRecord,
  type ValidationSummary,
  type TopEntry,
} from './predictor';
export {
  saveModel,
  loadModel,
  modelToBuffer,
  modelFromBuffer,
  ModelFormatError,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelManifest,
} from './persistence';
export {
  initBackend,
  ensureBackend,
  activeBackend,
  BackendUnavailableError,
  BACKEND_ORDER,
  LATENCY_ORDER,
  type BackendChoice,
  type BackendInfo,
  type BackendOptions,
} from './backend';
export { applyWasmPatches, wasmPatchesApplied } from './wasm-patches';
export { KerasRmsprop } from './rmsprop';
export { trainClassifier, type TrainClassifierOptions, type TrainClassifierResult } from './pipeline';
export { InferencePool, type PoolOptions } from './pool';
export { CNN_POOLINGS, CnnNet, DEFAULT_CNN, type CnnConfig, type CnnPooling } from './cnn';
export {
  createNetwork,
  networkFromWeights,
  resolveNetConfig,
  weightSpec,
  featureDim,
  type NetConfig,
  type Network,
  type Architecture,
  type ArchitectureSpec,
} from './network';
export { PRESETS, DEFAULT_PRESET, presetTrainOptions, UnknownPresetError, type Preset } from './presets';
