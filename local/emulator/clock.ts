/**
 * Emulated time. One factor (EKSP_TIME_SCALE) makes AWS-long operations short: at 0.01 an
 * 11-minute control plane takes 6.6 s. Everything the emulator reports (creation times, update
 * times, event timestamps) is in emulated time, which runs 1/scale as fast as the wall clock from
 * the emulator's start, so callers comparing elapsed times with real-world durations (the poll
 * schedule) see AWS-like numbers. A clock restored from a data dir starts at the emulated instant
 * last saved (`emulatedStart`): time the process was down does not pass for the emulated account.
 */
export class EmulatedClock {
  private readonly realStart = Date.now();

  constructor(
    readonly scale: number,
    private readonly emulatedStart = Date.now(),
  ) {
    if (!(scale > 0 && scale <= 1)) throw new Error(`time scale must be in (0, 1], got ${scale}`);
  }

  now(): Date {
    return this.at(Date.now());
  }

  /** The emulated instant of a wall-clock one: one formula, so two real instants keep their order. */
  at(realMs: number): Date {
    return new Date(this.emulatedStart + (realMs - this.realStart) / this.scale);
  }

  /** Real milliseconds that pass while `seconds` of emulated time do. */
  realMs(seconds: number): number {
    return Math.max(0, Math.round(seconds * 1000 * this.scale));
  }

  /** Resolves after `seconds` of emulated time. */
  sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.realMs(seconds)).unref?.());
  }

  /**
   * Resolves at an emulated instant (epoch ms): what resumable work waits for, since a duration
   * recorded as its end survives a restart where a running timer does not.
   */
  sleepUntil(emulatedMs: number): Promise<void> {
    return this.sleep((emulatedMs - this.now().getTime()) / 1000);
  }
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sampled durations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
