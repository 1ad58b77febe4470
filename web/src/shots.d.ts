// Types of webconv/shots (shots.mjs): TransNetV2 shot detection over frames the page decodes.
import type { InferenceSession } from './webconv.js';

export interface WindowGeometry {
  readonly window: number;
  readonly step: number;
  readonly context: number;
}
export function windowGeometry(window: number): WindowGeometry;
export function sourceFrame(g: WindowGeometry, k: number, i: number, frames: number): number;
export function lastFrameNeeded(g: WindowGeometry, k: number): number;
/** Scenes [first, last] (inclusive), as the reference's predictions_to_scenes forms them. */
export function predictionsToScenes(probabilities: ArrayLike<number>, threshold?: number): Array<[number, number]>;

export interface ShotModelInterface {
  readonly input: string;
  readonly type: 'uint8' | 'float32';
  readonly channelsLast: boolean;
  readonly window: number;
  readonly height: number;
  readonly width: number;
  readonly single: string;
  readonly singleIsProbability: boolean;
  readonly all: string | null;
  readonly allIsProbability: boolean;
}
export function shotModelInterface(session: InferenceSession): ShotModelInterface;

export interface ShotResult {
  readonly frames: number;
  readonly window: number;
  readonly windows: number;
  readonly singleFrame: Float32Array;
  readonly allFrames: Float32Array | null;
  readonly scenes: Array<[number, number]>;
  readonly wallMs: number;
  readonly modelMs: number;
  readonly firstWindowMs: number;
}
export interface DetectShotsOptions {
  threshold?: number;
  onProgress?: (p: { frames: number; windows: number }) => void;
  onSceneStart?: (frame: number, rgb: Uint8Array) => void;
}
/** Frames: RGB, height x width x 3 bytes each, in order. */
export function detectShots(session: InferenceSession,
                            frames: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
                            options?: DetectShotsOptions): Promise<ShotResult>;

export interface VideoFrameStats {
  frames: number;
  /** Frames the player skipped (gaps in the media times). */
  dropped: number;
  /** Estimated from the media times; 0 until two frames were seen. */
  fps: number;
  error: string | null;
}
export interface VideoFrameSource extends AsyncIterable<Uint8Array> {
  readonly stats: VideoFrameStats;
}
export function videoFrames(video: HTMLVideoElement,
                            options?: { width?: number; height?: number; playbackRate?: number; maxQueued?: number }):
    VideoFrameSource;
