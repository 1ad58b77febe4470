// Type declarations of webconv's JavaScript API (webconv.mjs): onnxruntime-web's InferenceSession and Tensor
// shapes, plus webconv's extensions (profile, adapter, backend, the .npy / TensorProto readers, versions).

export declare const version: string;

export type TensorType =
  | 'float32' | 'float64' | 'float16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool';

export type TensorData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/** A dense host tensor (row-major). bool is one byte per element; float16 holds raw half bits. */
export declare class Tensor {
  constructor(type: TensorType, data: TensorData | readonly number[] | readonly bigint[] | readonly boolean[],
              dims?: readonly number[]);
  constructor(data: TensorData | readonly number[] | readonly boolean[], dims?: readonly number[]);
  readonly type: TensorType;
  /** The data on the host; throws for a 'gpu-buffer' tensor (getData() downloads it). */
  readonly data: TensorData;
  readonly dims: readonly number[];
  readonly size: number;
  /** 'cpu', 'gpu-buffer' (Tensor.fromGpuBuffer, or an output of a session with preferredOutputLocation
   *  'gpu-buffer'); 'none' after dispose(). */
  readonly location: 'cpu' | 'gpu-buffer' | 'none';
  /** The GPUBuffer of a 'gpu-buffer' tensor (throws for others). */
  readonly gpuBuffer: GpuBufferType;
  /** The data. A 'gpu-buffer' tensor is downloaded and becomes a 'cpu' one; `releaseData` then also
   *  disposes of its buffer. */
  getData(releaseData?: boolean): Promise<TensorData>;
  reshape(dims: readonly number[]): Tensor;
  /** Drops the data; a 'gpu-buffer' tensor calls its `dispose` (a session output's destroys its buffer). */
  dispose(): void;
  /** A tensor whose data is in a GPUBuffer of webconv's device (env.webgpu.device), usage COPY_SRC to be
   *  a feed; as onnxruntime-web's Tensor.fromGpuBuffer. */
  static fromGpuBuffer(buffer: GpuBufferType, options: GpuBufferTensorOptions): Tensor;
  /** A tensor from an image, as onnxruntime-web's: float (pixel + bias) / mean, by default pixel / 255. */
  static fromImage(image: ImageSource, options?: ImageToTensorOptions): Promise<Tensor>;
  /** The tensor ([1, C, H, W] or NHWC) as ImageData: a pixel is (value - bias) * mean. Browsers only. */
  toImageData(options?: TensorToImageOptions): ImageData;
  /** The tensor as a PNG data URL, through toImageData. Pages only. */
  toDataURL(options?: TensorToImageOptions): string;
}

/** A GPUBuffer (a GPUBuffer from @webgpu/types fits: TypeScript's DOM library has no WebGPU types). */
export interface GpuBufferType {
  readonly size: number;
  readonly usage: number;
  destroy(): void;
}
export interface GpuBufferTensorOptions {
  dataType: TensorType;
  dims: readonly number[];
  /** Reads the buffer back: getData() calls it. */
  download?: () => Promise<TensorData>;
  /** Called by dispose(). */
  dispose?: () => void;
}

export type ImageSource = ImageData | ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas | VideoFrame |
  string | URL | { readonly data: Uint8ClampedArray | Uint8Array; readonly width: number; readonly height: number };
export type ImageFormat = 'RGB' | 'RGBA' | 'BGR' | 'RBG';
/** Per color (R, G, B, A) or one for all. */
export interface ImageNorm {
  mean?: number | readonly number[];
  bias?: number | readonly number[];
}
export interface ImageToTensorOptions {
  resizedWidth?: number;
  resizedHeight?: number;
  tensorFormat?: ImageFormat;
  tensorLayout?: 'NCHW' | 'NHWC';
  dataType?: 'float32' | 'uint8';
  norm?: ImageNorm;
}
export interface TensorToImageOptions {
  format?: ImageFormat;
  tensorLayout?: 'NCHW' | 'NHWC';
  norm?: ImageNorm;
}

export interface ValueMetadata {
  readonly name: string;
  readonly isTensor: true;
  /** null when the model does not declare it (an output whose type is known only after a run). */
  readonly type: TensorType | null;
  /** Numbers for fixed dims, strings for symbolic ones, null where the model gives neither; [] when the
   *  model declares no shape. */
  readonly shape: ReadonlyArray<number | string | null>;
  /** webconv's addition, outputs only: true when a Sigmoid produces the output (through shape-only ops),
   *  i.e. the head gives probabilities rather than logits. */
  readonly sigmoid?: boolean;
}

export interface AdapterInfo {
  readonly name: string;
  readonly backend: string;
  /** e.g. 'CPU' for a software adapter, 'discrete GPU' for a hardware one (as the adapter reports it). */
  readonly type: string;
  readonly isSoftware: boolean;
  readonly hasTimestamps: boolean;
}

export interface DispatchTiming {
  readonly node: string;
  readonly kernel: string;
  readonly ms: number;
}

/** Where the time to a planning run's result went (milliseconds of host wall time, and pipeline counts). */
export interface PlanPhases {
  /** InferenceSession.create in the core: the model parsed (and the GPU device made, for the first session). */
  readonly createMs: number;
  readonly loadMs: number;
  readonly deviceMs: number;
  /** Shapes, constant folding and fusion rewrites for these input shapes. */
  readonly bindMs: number;
  /** Kernels generated, buffers assigned. */
  readonly planMs: number;
  /** Pipelines compiled, concurrently. */
  readonly compileMs: number;
  /** Distinct pipelines the run uses, and how many of them were compiled now (the rest were reused). */
  readonly pipelines: number;
  readonly pipelinesCompiled: number;
  /** Constants (weights) written to the GPU. */
  readonly uploadMs: number;
  /** Bind groups and uniform buffers. */
  readonly programMs: number;
  /** The run itself: inputs up, dispatches, outputs back. */
  readonly firstRunMs: number;
  /** The kernels the plan's first runs use (SessionOptions.firstRun, 'auto' resolved). */
  readonly firstRunTier: 'tuned' | 'quick' | 'quick-only' | null;
  /** With the quick tier: the distinct tuned pipelines still to compile (in the background). */
  readonly tunedPipelines: number;
}

/** What a session reports while it loads and plans. */
export interface Progress {
  readonly phase: 'load' | 'compile' | 'run';
  readonly done: number;
  readonly total: number;
}

export interface RunProfile {
  /** Host time of the whole run in the core. */
  readonly wallMs: number | null;
  /** Sum of GPU timestamps, when the adapter has them and profiling was on. */
  readonly gpuMs: number | null;
  /** Whether this run planned the session (the first run compiles its kernels). */
  readonly planned: boolean;
  /** Whether this run used the quick tier's kernels (SessionOptions.firstRun). */
  readonly quick: boolean;
  /** On a run that planned: where the time went; else null. */
  readonly phases: PlanPhases | null;
  /** Per dispatch, when the session was created with enableProfiling and the adapter has timestamps. */
  readonly dispatches: readonly DispatchTiming[];
}

export type ExecutionProvider = 'webgpu' | 'cpu' | 'wasm' | 'ref' | string | { name: string };

export interface ExternalDataFile {
  path: string;
  data: Uint8Array | ArrayBuffer | ArrayBufferView | Blob | string | URL;
}

/** Overrides of the WebGPU kernels' own choices (webconv's addition; docs/api-cpp.md's KernelTuning). */
export interface KernelTuning {
  /** Every implicit-GEMM Conv on this tile, named as kernel names write it ('t64x64k16_r4x4'). */
  convTile?: string;
  /** Split-K ranges of every implicit-GEMM Conv (0 lets webconv choose). */
  convSplits?: number;
  convF16Tiles?: boolean;
  convSizes?: 'baked' | 'uniform';
  convStripRows?: number;
  convStripDepths?: number;
  convSubgroupTaps?: boolean;
  siblingMerge?: boolean;
  branchMerge?: boolean;
}

export interface SessionOptions {
  /** The first one webconv knows is used: 'webgpu' (default), 'cpu' / 'wasm' (float32 CPU backend), or 'ref' (float64 reference). */
  executionProviders?: readonly ExecutionProvider[];
  /** Per-dispatch GPU timing in `profile` after each run. */
  enableProfiling?: boolean;
  /** WebGPU: the kernels of the first run. 'quick': short Conv kernels that compile fast serve the first run,
   *  and the tuned kernels compile in the background from the second run on, taking over once all are
   *  ready (settle() waits). 'tuned': the tuned kernels before the first run. 'auto' (default): whichever a
   *  cost model predicts gives the first result sooner. 'quick-only': never switch. */
  firstRun?: 'auto' | 'tuned' | 'quick' | 'quick-only';
  /** WebGPU: overrides of the kernels' own choices, for benchmarks. */
  kernelTuning?: KernelTuning;
  /** Called while the session loads and while a run plans (compile: pipelines done of total). */
  onProgress?: (progress: Progress) => void;
  /** Fixes symbolic dims by name: the metadata shows the sizes, and a feed of another size is rejected. */
  freeDimensionOverrides?: Readonly<Record<string, number>>;
  /** Files holding the model's external tensors: `path` as the model names the file (a leading "./" is
   * ignored), `data` its bytes or a URL (a file path under Node) to read them from. */
  externalData?: readonly ExternalDataFile[];
  /** Accepted for onnxruntime-web compatibility and logged once as having no effect. */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'layout' | 'all';
  executionMode?: 'sequential' | 'parallel';
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  enableCpuMemArena?: boolean;
  enableMemPattern?: boolean;
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  logVerbosityLevel?: number;
  /** 'gpu-buffer' leaves outputs (all, or those named) on the GPU as 'gpu-buffer' tensors (WebGPU backend);
   *  'cpu-pinned' is 'cpu'; 'ml-tensor' is accepted and logged once as having no effect. */
  preferredOutputLocation?: OutputLocation | Record<string, OutputLocation>;
}

/** onnxruntime-web's run options: accepted and ignored. */
export interface RunOptions {
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  logVerbosityLevel?: number;
  terminate?: boolean;
  tag?: string;
  extra?: Record<string, unknown>;
}

export type OutputLocation = 'cpu' | 'cpu-pinned' | 'gpu-buffer' | 'ml-tensor';

export declare class InferenceSession {
  private constructor();
  static create(source: string | URL | Uint8Array | ArrayBuffer | ArrayBufferView,
                options?: SessionOptions): Promise<InferenceSession>;
  static create(buffer: ArrayBuffer, byteOffset: number, byteLength?: number,
                options?: SessionOptions): Promise<InferenceSession>;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly ValueMetadata[];
  readonly outputMetadata: readonly ValueMetadata[];
  readonly backend: 'webgpu' | 'cpu' | 'ref';
  readonly adapter: AdapterInfo | null;
  readonly profile: RunProfile | null;
  /** fetches: the output names wanted, or {outputName: Tensor | null}: a Tensor there is filled by the run
   *  (pre-allocated, as onnxruntime-web's; a 'gpu-buffer' one needs usage COPY_DST) and returned. */
  run(feeds: Record<string, Tensor>, fetches?: readonly string[] | Record<string, Tensor | null> | RunOptions,
      options?: RunOptions): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
  /** After a quick first run: waits for the tuned kernels and switches to them; at once otherwise. */
  settle(): Promise<void>;
  /** Keeps each run's profile until endProfiling(), which logs them (env.logger) and returns them. */
  startProfiling(): void;
  endProfiling(): RunProfile[];
}

export declare const env: {
  /** The folder (URL) holding webconv-core.mjs and webconv.wasm; default: next to webconv.mjs. */
  wasmPaths: string | undefined;
  /** onnxruntime-web's wasm settings. */
  wasm: {
    /** A URL prefix for webconv-core.mjs and webconv.wasm, or each file's URL. */
    wasmPaths?: string | { wasm?: string | URL; mjs?: string | URL };
    /** Accepted; webconv's CPU backend runs on one thread (a value above 1 is logged once as having no effect). */
    numThreads?: number;
    simd?: boolean;
    proxy?: boolean;
    initTimeout?: number;
  };
  /** onnxruntime-web's WebGPU settings. */
  webgpu: {
    /** A GPUDevice shared with the application; webconv requests its own when unset. Read when webconv makes
     *  its device (the first WebGPU session); then it is the device webconv runs on. (Typed `object`: the
     *  DOM library of TypeScript has no WebGPU types; a GPUDevice from @webgpu/types fits.) */
    device?: object;
    /** The GPUAdapter `device` came from, or the adapter webconv requests its device from. */
    adapter?: object;
    powerPreference?: 'low-power' | 'high-performance';
    forceFallbackAdapter?: boolean;
    profiling?: { mode?: 'off' | 'default'; ondata?: (data: unknown) => void };
  };
  logLevel?: 'verbose' | 'info' | 'warning' | 'error' | 'fatal';
  debug?: boolean;
  logger: { log(line: string): void; error(line: string): void };
  readonly versions: { readonly webconv: string };
};

/** Parses .npy bytes with the core's reader. */
export declare function tensorFromNpy(bytes: Uint8Array | ArrayBuffer): Promise<Tensor>;
/** Parses an ONNX TensorProto (.pb) with the core's reader. */
export declare function tensorFromProto(bytes: Uint8Array | ArrayBuffer): Promise<{ name: string; tensor: Tensor }>;
/** The core's version and build. */
export declare function coreVersion(): Promise<{ webconv: string; build: string }>;
