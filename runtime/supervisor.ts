/**
 * The `npm start` supervisor's bookkeeping: the units it started (PostgreSQL, Temporal, worker,
 * API), restarted with backoff when one dies after start-up, and given up on with one clear
 * message after repeated fast crashes, in which case everything stops: never a half-alive
 * stack. Stopping goes in reverse start order; a forced exit kills every unit at once.
 */
export interface RunningUnit {
  pid: number;
  waitForExit(): Promise<number | null>;
  stop(): Promise<void>;
  /** SIGKILL to its whole process group, synchronously. */
  kill(): void;
}

export interface RestartPolicy {
  /** Give up when a unit crashed this many times within windowMs. */
  maxCrashes: number;
  windowMs: number;
  /** First backoff; doubles per recent crash, capped at maxBackoffMs. */
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultRestartPolicy: RestartPolicy = { maxCrashes: 5, windowMs: 60_000, initialBackoffMs: 1000, maxBackoffMs: 30_000 };

interface Unit {
  name: string;
  running?: RunningUnit;
  starting?: Promise<RunningUnit | undefined>;
  restart: () => Promise<RunningUnit>;
  crashes: number[];
}

export class Supervisor {
  private readonly units: Unit[] = [];
  private stopping = false;
  private stopped: Promise<void> | undefined;
  /** Until start-up is complete a unit's exit fails the start instead of restarting it. */
  private live = false;
  private startupFailure: string | undefined;
  private readonly lateStops: Array<Promise<void>> = [];

  constructor(
    private readonly say: (line: string) => void,
    private readonly policy: RestartPolicy = defaultRestartPolicy,
    /** Called after a give-up has stopped everything (the caller exits non-zero). */
    private readonly onGiveUp: () => void = () => process.exit(1),
  ) {}

  get isStopping(): boolean {
    return this.stopping;
  }

  /** Takes a started unit under supervision; `restart` starts a fresh one after a crash. */
  adopt(name: string, running: RunningUnit, restart: () => Promise<RunningUnit>): void {
    const unit: Unit = { name, running, restart, crashes: [] };
    this.units.push(unit);
    if (this.stopping) {
      this.lateStops.push(running.stop().catch(() => undefined));
      return;
    }
    this.watch(unit, running);
  }

  /** After start-up: from now on a crash restarts the unit. */
  goLive(): void {
    this.live = true;
  }

  /** The name and exit of a unit that died during start-up, if one did. */
  failedDuringStartup(): string | undefined {
    return this.startupFailure;
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries(this.units.map((u) => [u.name, u.running?.pid]));
  }

  private watch(unit: Unit, running: RunningUnit): void {
    running.waitForExit().then((code) => {
      if (this.stopping || unit.running !== running) return;
      unit.running = undefined;
      if (!this.live) {
        this.startupFailure ??= `${unit.name} exited during start-up (code ${code})`;
        return;
      }
      void this.crashed(unit, `exited unexpectedly (code ${code})`);
    });
  }

  private async crashed(unit: Unit, what: string): Promise<void> {
    const now = Date.now();
    unit.crashes = [...unit.crashes.filter((t) => now - t < this.policy.windowMs), now];
    const recent = unit.crashes.length;
    if (recent >= this.policy.maxCrashes) {
      this.say(
        `${unit.name} ${what}: it crashed ${recent} times within ${Math.round(this.policy.windowMs / 1000)} s, giving up; stopping everything (see its output above)`,
      );
      await this.stopAll().catch(() => undefined);
      this.onGiveUp();
      return;
    }
    const backoff = Math.min(this.policy.initialBackoffMs * 2 ** (recent - 1), this.policy.maxBackoffMs);
    this.say(`${unit.name} ${what}; restarting in ${(backoff / 1000).toFixed(1)} s (crash ${recent} of ${this.policy.maxCrashes} allowed within ${Math.round(this.policy.windowMs / 1000)} s)`);
    await new Promise((r) => setTimeout(r, backoff));
    if (this.stopping) return;
    unit.starting = unit.restart().then(
      (running) => {
        unit.starting = undefined;
        unit.running = running;
        if (this.stopping) {
          void running.stop();
          return running;
        }
        this.say(`${unit.name} restarted (pid ${running.pid})`);
        this.watch(unit, running);
        return running;
      },
      (err: unknown) => {
        unit.starting = undefined;
        if (!this.stopping) void this.crashed(unit, `could not be restarted (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`);
        return undefined;
      },
    );
  }

  /** Stops every unit in reverse start order (once; later calls share the first). */
  stopAll(): Promise<void> {
    this.stopping = true;
    return (this.stopped ??= (async () => {
      for (const unit of [...this.units].reverse()) {
        const running = unit.running ?? (await unit.starting);
        await running?.stop().catch(() => undefined);
      }
    })());
  }

  /** Waits for the stops of units adopted after stopAll began (they were still starting). */
  async drain(pendingStarts: Array<Promise<unknown>>): Promise<void> {
    await Promise.allSettled(pendingStarts);
    await Promise.allSettled(this.lateStops);
  }

  /** Forced exit: SIGKILL every unit's process group now. */
  killAll(): void {
    this.stopping = true;
    for (const unit of this.units) unit.running?.kill();
  }
}
