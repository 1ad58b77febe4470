// Compiled (not run) by ctest's browser.types_check: a program written the way a user of the npm package
// writes it, type-checked against web/src/webconv.d.ts under --strict. The @ts-expect-error lines assert
// that the declarations reject misuse; tsc fails if any of them stops being an error.
import {InferenceSession, Tensor, env, tensorFromNpy, version} from 'webconv';
import type {GpuBufferType, RunProfile, ValueMetadata} from 'webconv';
import {detectShots, predictionsToScenes, shotModelInterface, videoFrames} from 'webconv/shots';

export async function classify(modelUrl: string, pixels: Float32Array): Promise<number[]> {
  const session = await InferenceSession.create(modelUrl, {executionProviders: ['webgpu'], enableProfiling: true});
  const input: ValueMetadata = session.inputMetadata[0];
  const dims: number[] = input.shape.map((d) => (typeof d === 'number' ? d : 1));
  const feeds: Record<string, Tensor> = {[session.inputNames[0]]: new Tensor('float32', pixels, dims)};
  const results = await session.run(feeds);
  const out: Tensor = results[session.outputNames[0]];
  const profile: RunProfile | null = session.profile;
  if (profile && profile.gpuMs !== null) env.logger.log(`${version}: ${profile.gpuMs} ms on ${session.backend}`);
  await session.release();
  return Array.from(out.data as Float32Array);
}

// webconv's first-run tiers: a quick first result, then the tuned kernels before timing.
export async function quickThenTuned(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<boolean> {
  const session = await InferenceSession.create(bytes, {executionProviders: ['webgpu'], firstRun: 'quick'});
  await session.run(feeds);
  const tier: 'tuned' | 'quick' | 'quick-only' | null = session.profile?.phases?.firstRunTier ?? null;
  const pending: number = session.profile?.phases?.tunedPipelines ?? 0;
  await session.settle();
  await session.run(feeds);
  return tier === 'quick' && pending >= 0 && !(session.profile?.quick ?? true);
}

export async function fromBytes(bytes: Uint8Array, npy: ArrayBuffer): Promise<readonly number[]> {
  const session = await InferenceSession.create(bytes, {executionProviders: ['cpu']});
  const t = await tensorFromNpy(npy);
  const out = await session.run({[session.inputNames[0]]: t}, [session.outputNames[0]]);
  return out[session.outputNames[0]].dims;
}

export function misuse(session: InferenceSession): void {
  // @ts-expect-error: 'float' is not a tensor type
  new Tensor('float', new Float32Array(4), [4]);
  // @ts-expect-error: feeds are tensors, not arrays
  void session.run({x: [1, 2, 3]});
  // @ts-expect-error: 'fast' is not a first-run tier
  void InferenceSession.create('m.onnx', {firstRun: 'fast'});
  // @ts-expect-error: inputNames is read-only
  session.inputNames = [];
}

// onnxruntime-web's env settings, as apps set them on their first lines.
export function configure(device: object): void {
  env.wasm.numThreads = 1;
  env.wasm.wasmPaths = '/static/';
  env.wasm.wasmPaths = {wasm: '/static/webconv.wasm', mjs: '/static/webconv-core.mjs'};
  env.webgpu.device = device;
  env.webgpu.powerPreference = 'high-performance';
  env.logLevel = 'warning';
  // @ts-expect-error: numThreads is a number
  env.wasm.numThreads = 'four';
}

// onnxruntime-web's session options, including those webconv only accepts.
export async function withOptions(url: string): Promise<InferenceSession> {
  return InferenceSession.create(url, {executionProviders: ['webgpu'], freeDimensionOverrides: {batch: 1},
                                       graphOptimizationLevel: 'all', logSeverityLevel: 3});
}

// A model with its tensors in another file, as onnxruntime-web takes it.
export async function withExternalData(model: Uint8Array, weights: ArrayBuffer): Promise<InferenceSession> {
  await InferenceSession.create(model, {externalData: [{path: 'weights.bin', data: 'https://example.com/weights.bin'}]});
  // @ts-expect-error: an entry needs its path
  await InferenceSession.create(model, {externalData: [{data: weights}]});
  return InferenceSession.create(model, {externalData: [{path: './weights.bin', data: weights}]});
}

// Images in and out, as onnxruntime-web's Tensor.fromImage / toImageData.
export async function imageRoundTrip(bitmap: ImageBitmap): Promise<ImageData> {
  const t = await Tensor.fromImage(bitmap, {resizedWidth: 32, resizedHeight: 32, tensorFormat: 'BGR', norm: {mean: 255, bias: [0, 0, 0]}});
  // @ts-expect-error: 'CMYK' is not a tensor format
  await Tensor.fromImage(bitmap, {tensorFormat: 'CMYK'});
  return t.toImageData({format: 'BGR'});
}

// Shots in a video element with a TransNetV2 export (webconv/shots).
export async function shots(model: Uint8Array, video: HTMLVideoElement): Promise<Array<[number, number]>> {
  const session = await InferenceSession.create(model, {executionProviders: ['webgpu']});
  const m = shotModelInterface(session);
  const frames = videoFrames(video, {width: m.width, height: m.height});
  const result = await detectShots(session, frames, {threshold: 0.5, onProgress: ({frames: n}) => env.logger.log(`${n}`)});
  const dropped: number = frames.stats.dropped;
  if (dropped) env.logger.log(`${dropped} frames skipped`);
  // @ts-expect-error: the frames are RGB bytes, not floats
  await detectShots(session, [new Float32Array(3)]);
  return predictionsToScenes(result.singleFrame, 0.5);
}

// IO binding as onnxruntime-web's: a frame already in a GPUBuffer in, the result left on the GPU.
export async function gpuFrames(model: Uint8Array, frame: GpuBufferType): Promise<Float32Array> {
  const session = await InferenceSession.create(model, {executionProviders: ['webgpu'], preferredOutputLocation: 'gpu-buffer'});
  const input = Tensor.fromGpuBuffer(frame, {dataType: 'float32', dims: [1, 3, 224, 224]});
  const results = await session.run({[session.inputNames[0]]: input});
  const out = results[session.outputNames[0]];
  const onGpu: GpuBufferType | null = out.location === 'gpu-buffer' ? out.gpuBuffer : null;
  const data = (await out.getData(true)) as Float32Array;
  await InferenceSession.create(model, {preferredOutputLocation: {[session.outputNames[0]]: 'cpu-pinned'}});
  // @ts-expect-error: 'texture' is not an output location here
  await InferenceSession.create(model, {preferredOutputLocation: 'texture'});
  if (onGpu) out.dispose();
  const target = new Tensor('float32', new Float32Array(1000), [1, 1000]);
  await session.run({[session.inputNames[0]]: input}, {[session.outputNames[0]]: target}, {tag: 'frame'});
  await session.run({[session.inputNames[0]]: input}, {logSeverityLevel: 3});
  return data;
}
