// How `promote --wait` shows a promotion: on a terminal, one line per step (spinner, duration, the step's
// message) redrawn in place; elsewhere, one timestamped line per change; with --output json, nothing until the
// end. Pure state + rendering: the caller feeds it the deployment's details and the stream's events.
import { isTerminal, type PromotionStatus } from '../domain/promotion.js';

export interface StepState {
  step: string;
  status: string;
  attempts: number;
  startedAt: string | null;
  finishedAt: string | null;
  message: string | null;
}

export interface PromotionState {
  deploymentId: number;
  environment: string;
  status: PromotionStatus;
  message: string | null;
  steps: StepState[];
}

export interface Writer {
  write(text: string): void;
}

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const MARK: Record<string, string> = { succeeded: '✓', failed: '✗', skipped: '-', pending: '·' };

export function durationOf(s: Pick<StepState, 'startedAt' | 'finishedAt'>, now = Date.now()): string {
  if (!s.startedAt) return '';
  const ms = (s.finishedAt ? Date.parse(s.finishedAt) : now) - Date.parse(s.startedAt);
  if (ms < 0) return '';
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Applies one stream event to the state; true when something shown changed. */
export function apply(state: PromotionState, e: { type: string; data: Record<string, unknown> }): boolean {
  if (e.data.deploymentId !== state.deploymentId) return false;
  if (e.type === 'deployment') {
    state.status = e.data.status as PromotionStatus;
    state.message = (e.data.message as string | undefined) ?? null;
    return true;
  }
  if (e.type === 'step') {
    const name = String(e.data.step);
    let s = state.steps.find((x) => x.step === name);
    if (!s) {
      s = { step: name, status: 'pending', attempts: 0, startedAt: null, finishedAt: null, message: null };
      state.steps.push(s);
    }
    s.status = String(e.data.status);
    s.attempts = Number(e.data.attempts ?? s.attempts);
    s.startedAt = (e.data.startedAt as string | undefined) ?? s.startedAt;
    s.finishedAt = (e.data.finishedAt as string | undefined) ?? null;
    s.message = (e.data.message as string | undefined) ?? null;
    return true;
  }
  return false;
}

/** The promotion has reached a state `--wait` ends on: terminal, or parked for an operator. */
export function settled(state: PromotionState): boolean {
  return isTerminal(state.status) || state.status === 'awaiting_operator';
}

const width = (steps: StepState[]) => Math.max(12, ...steps.map((s) => s.step.length));

/** A terminal: redraws the step block in place on every change and spinner tick. */
export class TtyProgress {
  private drawn = 0;
  private frame = 0;
  constructor(
    private readonly out: Writer,
    private readonly columns: number,
  ) {}

  render(state: PromotionState, now = Date.now()): void {
    this.frame = (this.frame + 1) % SPINNER.length;
    const w = width(state.steps);
    const lines = state.steps.map((s) => {
      const mark = s.status === 'running' ? (SPINNER[this.frame] ?? '*') : (MARK[s.status] ?? '?');
      const text = `${mark} ${s.step.padEnd(w)}  ${durationOf(s, now).padStart(9)}  ${s.message ?? ''}`.trimEnd();
      return text.length > this.columns - 1 ? `${text.slice(0, this.columns - 2)}…` : text;
    });
    lines.push(`  ${state.status.replace(/_/g, ' ')}${state.message ? `: ${state.message}` : ''}`.slice(0, this.columns - 1));
    let text = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    for (const l of lines) text += `\x1b[2K${l}\n`;
    this.out.write(text);
    this.drawn = lines.length;
  }
}

/** Not a terminal: one timestamped line per step change and per status change. */
export class PlainProgress {
  private seen = new Map<string, string>();
  private lastStatus = '';
  constructor(private readonly out: Writer) {}

  render(state: PromotionState, now = Date.now()): void {
    const stamp = new Date(now).toISOString();
    for (const s of state.steps) {
      const key = `${s.status}|${s.attempts}|${s.message ?? ''}`;
      if (this.seen.get(s.step) === key || s.status === 'pending') continue;
      this.seen.set(s.step, key);
      const d = durationOf(s, now);
      this.out.write(`${stamp}  ${s.step}  ${s.status}${d ? `  (${d})` : ''}${s.message ? `  ${s.message}` : ''}\n`);
    }
    const status = `${state.status}|${state.message ?? ''}`;
    if (status !== this.lastStatus) {
      this.lastStatus = status;
      this.out.write(`${stamp}  deployment ${state.deploymentId}  ${state.status}${state.message ? `  ${state.message}` : ''}\n`);
    }
  }
}
