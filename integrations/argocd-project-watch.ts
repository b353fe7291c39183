// The continuous monitor's view of Argo CD applications, kept by Argo CD's watch stream instead of a GET per
// application and interval (issue 10: "by Argo CD's watch stream where available, polling as fallback").
// One stream per Argo CD client and project (`GET /api/v1/stream/applications?projects=<p>`), opened on first use
// and closed after IDLE_CLOSE_MS unused; its events, read leanly (argocd-observed.ts), keep each application's
// last state. An application is answered from there only while the stream that delivered it (or that was
// connected when it was read) is still connected, and for at most SAFETY_READ_MS: after that it is read again with
// GET (a stream can go quiet without breaking). Everything else is a GET: no stream yet or any more (an older proxy
// answers 404, a stream broke and is reconnecting with back-off), an application not seen on the stream, a
// project with no application (Argo CD sends no headers until its first event). A GET's answer is kept only if no
// event for that application arrived while it was under way, so an older read never replaces a newer event; and an
// event is used only for the namespace and project the application's GET answered with (apps in any namespace
// share a project's stream). An application moved to another project gets no event on this stream any more: its
// safety read finds out (within SAFETY_READ_MS). The stream carries every application of the project, monitored or
// not: in a project shared by many applications that change often, ARGOCD_WATCH=off may cost less.
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import type { ArgoClient } from './argocd.js';
import { ObservedApplication } from './argocd-observed.js';
import { applicationWatchEvents } from './argocd-watch.js';

/** A kept application is read again with GET after this long, however live its stream looks. */
export const SAFETY_READ_MS = 120_000;
/** A project's stream is closed when no observation asked for it this long. */
export const IDLE_CLOSE_MS = 5 * 60_000;
const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** A connection that lasted this long resets the back-off; a shorter one (a proxy cutting it) counts as a failure. */
const STABLE_MS = 30_000;
/** Each event is read leniently, so one application Argo CD describes oddly never ends the project's stream. */
const AnyApplication = z.unknown();

interface Kept {
  app: ObservedApplication;
  at: number;
  /** The stream connection the state belongs to (a new connection replays everything). */
  epoch: number;
  /** The application's namespace and project (homeOf). */
  home: string;
}

export interface ProjectApplications {
  /** The application's state: kept from the stream when fresh, else `read()` (kept when safe). */
  observe(name: string, read: () => Promise<ObservedApplication>): Promise<ObservedApplication>;
  /** Whether the project's stream is connected now (tests, diagnostics). */
  live(): boolean;
  /** What is kept of `name` now, fresh or not (tests, diagnostics). */
  peek(name: string): ObservedApplication | undefined;
}

export interface ProjectWatches {
  forProject(argo: ArgoClient, project: string): ProjectApplications;
  /** Streams open now (tests, metrics). */
  open(): number;
  close(): void;
}

export function createProjectWatches(opts: { now?: () => number; safetyReadMs?: number; idleCloseMs?: number } = {}): ProjectWatches {
  const now = opts.now ?? Date.now;
  const safetyReadMs = opts.safetyReadMs ?? SAFETY_READ_MS;
  const idleCloseMs = opts.idleCloseMs ?? IDLE_CLOSE_MS;
  const byClient = new WeakMap<ArgoClient, Map<string, ProjectWatch>>();
  const all = new Set<ProjectWatch>();

  class ProjectWatch implements ProjectApplications {
    private readonly kept = new Map<string, Kept>();
    /** Events per application, so a GET started before one is not kept over it. */
    private readonly events = new Map<string, number>();
    /** Each application's namespace and project as its last GET answered (`namespace/project`). */
    private readonly homes = new Map<string, string>();
    private epoch = 0;
    private connected = false;
    private lastUse = now();
    private readonly stop = new AbortController();

    constructor(
      private readonly argo: ArgoClient,
      private readonly project: string,
      private readonly onClose: () => void,
    ) {
      // Closed when unused (a quiet stream delivers no event to notice it by).
      const idle = setInterval(() => now() - this.lastUse >= idleCloseMs && this.stop.abort(), Math.min(idleCloseMs, 60_000));
      idle.unref();
      this.stop.signal.addEventListener('abort', () => clearInterval(idle), { once: true });
      void this.run();
    }

    async observe(name: string, read: () => Promise<ObservedApplication>): Promise<ObservedApplication> {
      this.lastUse = now();
      const hit = this.kept.get(name);
      if (hit && this.connected && hit.epoch === this.epoch && hit.home === this.homes.get(name) && now() - hit.at <= safetyReadMs) {
        return hit.app;
      }
      const epoch = this.epoch;
      const wasConnected = this.connected;
      const events = this.events.get(name) ?? 0;
      const app = await read();
      // Where the application lives: a stream event is used for it only from there (apps in any namespace share a
      // project's stream, so another namespace may hold one of the same name).
      const home = homeOf(app);
      this.homes.set(name, home);
      if (wasConnected && this.connected && this.epoch === epoch && (this.events.get(name) ?? 0) === events) {
        this.kept.set(name, { app, at: now(), epoch, home });
      }
      return app;
    }

    live(): boolean {
      return this.connected;
    }

    peek(name: string): ObservedApplication | undefined {
      return this.kept.get(name)?.app;
    }

    close(): void {
      this.stop.abort();
    }

    private async run(): Promise<void> {
      const path = `/api/v1/stream/applications?${new URLSearchParams({ projects: this.project }).toString()}`;
      let backoff = BACKOFF_MIN_MS;
      const signal = this.stop.signal;
      while (!signal.aborted) {
        const opened = now();
        try {
          const res = await this.argo.openStream(path, signal);
          this.epoch += 1;
          this.connected = true;
          for await (const e of applicationWatchEvents(res, { path, signal, schema: AnyApplication })) this.apply(e);
        } catch {
          // Not available (404 from an older proxy, 401, 403) or broken: GETs meanwhile, try again later.
        } finally {
          this.connected = false;
          this.kept.clear();
        }
        if (signal.aborted) break;
        // A connection that lasted resets the back-off; one that ended or failed soon doubles it, so a proxy that
        // cuts every stream after its replay is not asked for the whole project again every second.
        backoff = now() - opened >= STABLE_MS ? BACKOFF_MIN_MS : Math.min(backoff * 2, BACKOFF_MAX_MS);
        await sleep(backoff, undefined, { signal, ref: false }).catch(() => undefined);
      }
      this.onClose();
    }

    private apply(e: { type: string; application: unknown }): void {
      const parsed = ObservedApplication.safeParse(e.application);
      const name = parsed.success ? parsed.data.metadata.name : nameOf(e.application);
      if (name === undefined) return;
      const home = this.homes.get(name);
      const eventHome = parsed.success ? homeOf(parsed.data) : undefined;
      if (eventHome !== undefined && home !== undefined && eventHome !== home) return; // another application's
      this.events.set(name, (this.events.get(name) ?? 0) + 1);
      // Gone, or described in a way the lean read refuses: read with GET again (which reports what is wrong). Kept
      // before any GET said where the application lives, an event is served only once one has, and only if it matches.
      if (e.type === 'DELETED' || !parsed.success || eventHome === undefined) this.kept.delete(name);
      else this.kept.set(name, { app: parsed.data, at: now(), epoch: this.epoch, home: eventHome });
    }
  }

  return {
    forProject(argo, project) {
      let projects = byClient.get(argo);
      if (!projects) byClient.set(argo, (projects = new Map()));
      let watch = projects.get(project);
      if (!watch) {
        const created: ProjectWatch = new ProjectWatch(argo, project, () => {
          all.delete(created);
          if (projects.get(project) === created) projects.delete(project);
        });
        watch = created;
        projects.set(project, watch);
        all.add(watch);
      }
      return watch;
    },
    open: () => all.size,
    close() {
      for (const w of all) w.close();
    },
  };
}

/** An application's namespace and project (`argocd/flow`), as GETs and stream events both carry them. */
const homeOf = (app: ObservedApplication): string => `${app.metadata.namespace ?? ''}/${app.spec?.project ?? ''}`;

const nameOf = (app: unknown): string | undefined => {
  const name = (app as { metadata?: { name?: unknown } } | null)?.metadata?.name;
  return typeof name === 'string' ? name : undefined;
};
