/**
 * Durable local mode (EKSP_DATA_DIR, default `.eksp/`): what `npm start` keeps across restarts,
 * even a kill -9.
 *
 *   <dir>/state.json   the emulated world (local/emulator/persistence.ts), its clock, and the
 *                      Step Functions executions (input, the top-level state each is in, history)
 *   <dir>/dynamodb/    the registry table: dynalite's LevelDB
 *   <dir>/lock         the pid of the local mode using the directory
 *
 * state.json is rewritten atomically every SAVE_INTERVAL_MS when something changed, at once when an
 * execution starts, changes state or ends, and at least every CLOCK_INTERVAL_MS so the saved clock
 * stays close to the real one. A kill loses at most the last interval, which the restarted
 * emulator lives again: its clock restarts from the saved instant, so what was CREATING finishes
 * when it was due in emulated time.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { DataDir, snapshotWorld, SNAPSHOT_VERSION, worldRevision, type WorldSnapshot } from '../emulator/persistence';
import type { World } from '../emulator/world';
import type { LocalExecutions, SavedExecution } from './executions';

export const DEFAULT_DATA_DIR = '.eksp';
const STATE_FILE = 'state.json';
const DYNAMODB_DIR = 'dynamodb';
const LOCK_FILE = 'lock';
/** Real ms between saves of a changed state (at 0.01, 25 s of emulated time). */
export const SAVE_INTERVAL_MS = 250;
/** Real ms after which the clock alone is worth a save. */
const CLOCK_INTERVAL_MS = 2000;

/** state.json. */
export interface SavedState {
  version: number;
  /** Real time of the save. */
  savedAt: string;
  /** The emulated clock at the save (epoch ms). */
  emulatedNow: number;
  /**
   * The local AWS endpoint's port: cluster endpoints and stack outputs name it, and workflows
   * carry them, so a restart asked for a free port (0) takes this one again.
   */
  awsPort: number;
  /** The world's parts but its clock (persistence.ts's snapshot). */
  world: Record<string, unknown>;
  executions: SavedExecution[];
}

/** Thrown when the directory cannot be used (another local mode holds it, or another layout). */
export class DataDirError extends Error {
  override name = 'DataDirError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OpenedDataDir {
  dir: DataDir;
  /** Where dynalite keeps the registry. */
  dynamoPath: string;
  /** What the last run saved; undefined for a new (or fresh) directory. */
  saved?: SavedState;
  /** Releases the lock. */
  release(): void;
}

/** Takes the directory (one local mode at a time), clears it when `fresh`, reads what was saved. */
export function openDataDir(path: string, options: { fresh?: boolean } = {}): OpenedDataDir {
  const dir = new DataDir(path);
  const lock = dir.file(LOCK_FILE);
  if (existsSync(lock)) {
    const holder = Number(readFileSync(lock, 'utf8').trim());
    // A lock left by a killed process is stale: its pid is gone.
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
      throw new DataDirError(`data dir ${path} is in use by process ${holder} (another npm start?); stop it or set EKSP_DATA_DIR to another directory`);
    }
  }
  writeFileSync(lock, String(process.pid));
  if (options.fresh) {
    rmSync(dir.file(STATE_FILE), { force: true });
    rmSync(dir.file(DYNAMODB_DIR), { recursive: true, force: true });
  }
  let saved: SavedState | undefined;
  try {
    saved = dir.read<SavedState>(STATE_FILE);
  } catch (error) {
    rmSync(lock, { force: true });
    throw new DataDirError(`data dir ${path}: ${STATE_FILE} cannot be read (${(error as Error).message}); start with EKSP_FRESH=1 to begin again`);
  }
  if (saved && saved.version !== SNAPSHOT_VERSION) {
    rmSync(lock, { force: true });
    throw new DataDirError(`data dir ${path} was written by another version of local mode (layout ${saved.version}, this one reads ${SNAPSHOT_VERSION}); start with EKSP_FRESH=1 to begin again`);
  }
  return {
    dir,
    dynamoPath: dir.file(DYNAMODB_DIR),
    ...(saved ? { saved } : {}),
    release: () => {
      if (existsSync(lock) && readFileSync(lock, 'utf8').trim() === String(process.pid)) rmSync(lock, { force: true });
    },
  };
}

/** Writes state.json as the world and the executions change. */
export class StateSaver {
  private timer?: NodeJS.Timeout;
  private soon?: NodeJS.Immediate;
  private lastRevision = '';
  private lastWrite = 0;
  private closed = false;
  /** Saves made (tests read it). */
  writes = 0;

  constructor(
    private readonly dir: DataDir,
    private readonly world: World,
    private readonly executions: LocalExecutions,
    private readonly awsPort: number,
    private readonly warn: (message: string) => void = (message) => process.stderr.write(`[data dir] ${message}\n`),
  ) {}

  start(intervalMs = SAVE_INTERVAL_MS): void {
    this.timer = setInterval(() => this.save(), intervalMs).unref();
  }

  /** A change that matters (an execution started, moved or ended): saved before anything else runs for long. */
  saveSoon(): void {
    if (this.closed || this.soon) return;
    this.soon = setImmediate(() => {
      this.soon = undefined;
      this.save(true);
    }).unref();
  }

  /** Writes when something changed (or the clock is due), or always with `force`. */
  save(force = false): void {
    if (this.closed) return;
    try {
      // Serialising costs ~15 ms per provisioned cluster: only when something changed, or for the clock now and then.
      const revision = `${worldRevision(this.world)}/${this.executions.revision}`;
      if (!force && revision === this.lastRevision && Date.now() - this.lastWrite < CLOCK_INTERVAL_MS) return;
      const { emulatedNow, ...world } = snapshotWorld(this.world);
      const body = JSON.stringify({ world, executions: this.executions.snapshot() });
      const state = `{"version":${SNAPSHOT_VERSION},"savedAt":${JSON.stringify(new Date().toISOString())},"emulatedNow":${emulatedNow},"awsPort":${this.awsPort},${body.slice(1)}`;
      this.dir.write(STATE_FILE, state);
      this.lastRevision = revision;
      this.lastWrite = Date.now();
      this.writes++;
    } catch (error) {
      this.warn(`could not save the local state: ${(error as Error).message}`);
    }
  }

  /** A last save, then no more (what stops afterwards — aborted executions — is not saved). */
  close(): void {
    this.save(true);
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    if (this.soon) clearImmediate(this.soon);
  }
}

/** state.json's world part with its clock, as restoreWorld takes it. */
export function savedWorld(saved: SavedState): WorldSnapshot {
  return { ...saved.world, emulatedNow: saved.emulatedNow };
}
