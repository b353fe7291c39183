// Time-zone offsets for schedules read in a zone's wall-clock time: Argo CD sync windows
// (integrations/sync-window-rules.ts) and freeze windows (domain/freeze.ts). Pure: Intl only.

/** Zones whose formatter is kept (zones come from configuration and from Argo CD, so they are not ours to bound). */
const MAX_ZONES = 1000;
const offsetFormats = new Map<string, Intl.DateTimeFormat | null>();

/**
 * The offset of `timeZone` from UTC at `atMs`, in ms. Empty, `UTC` and unknown zones count as UTC, as Argo CD does
 * with a zone Go cannot load (it logs "Invalid time zone … Using UTC" and goes on); freeze windows check their
 * zone when saved.
 */
export function zoneOffsetMs(timeZone: string | undefined, atMs: number): number {
  if (!timeZone || timeZone === 'UTC') return 0;
  let format = offsetFormats.get(timeZone);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    } catch {
      format = null;
    }
    if (offsetFormats.size >= MAX_ZONES) offsetFormats.clear();
    offsetFormats.set(timeZone, format);
  }
  if (!format) return 0;
  const name = format.formatToParts(atMs).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(name);
  if (!m) return 0;
  const ms = (Number(m[2]) * 3600 + Number(m[3]) * 60 + Number(m[4] ?? 0)) * 1000;
  return m[1] === '-' ? -ms : ms;
}
