/**
 * What the host profile leaves out, as data: per metric and kind of
 * system, the mechanism a wrong prediction points at, and the evidence
 * computed from the validation rows themselves (undefined when the rows do
 * not show it). The report quotes a note wherever a metric of a system is
 * far off, so the reader learns what is missing, by how much, from the data.
 */
import { linkAt, type MeasuredTestbed } from '../calibrate/profile.ts';
import { LINK_PROFILES } from '../backends/qemu/link-profiles.ts';
import type { SimParameters } from '../backends/sim/parameter-types.ts';
import type { ValidationRow } from '../results/validation.ts';
import { mean } from '../stats.ts';
import { carrierOf, isPaperSystem, isSystemName, type PaperSystemName, type SystemName } from '../systems.ts';
import type { Metric } from './compare.ts';

export interface NoteContext {
  /** The rows of this metric and system. */
  readonly group: readonly ValidationRow[];
  /** Every row of the comparison (other metrics of the same points). */
  readonly rows: readonly ValidationRow[];
  readonly system: PaperSystemName;
  /** The calibration the predictions used, and the parameters the simulator made of it. */
  readonly testbed: MeasuredTestbed;
  readonly parameters: SimParameters;
}

export interface MechanismNote {
  readonly id: string;
  readonly metrics: readonly Metric[];
  /** A kind of system (a scheme beyond the paper counts as pre-copy over its carrier's link), or the schemes it concerns alone. */
  readonly systems: 'pre-copy' | 'zero-copy' | readonly SystemName[];
  /** Which rows it concerns: idle guests, dirtying guests, or all. */
  readonly points: 'idle' | 'dirtying' | 'all';
  readonly mechanism: string;
  readonly evidence: (context: NoteContext) => string | undefined;
}

type Paired = ValidationRow & { readonly predicted: number; readonly measured: number };

const paired = (rows: readonly ValidationRow[]): Paired[] =>
  rows.filter((row): row is Paired => row.predicted !== undefined && row.measured !== undefined);

const atRate = (rows: readonly Paired[], points: MechanismNote['points']) =>
  rows.filter((row) => points === 'all' || (points === 'idle' ? row.dirty_pages_per_s === 0 : row.dirty_pages_per_s! > 0));

/** The same point's value of another metric. */
function other(context: NoteContext, row: ValidationRow, metric: Metric, side: 'predicted' | 'measured'): number | undefined {
  return context.rows.find(
    (candidate) =>
      candidate.metric === metric &&
      candidate.system === row.system &&
      candidate.memory_mb === row.memory_mb &&
      candidate.dirty_pages_per_s === row.dirty_pages_per_s,
  )?.[side];
}

/** The link's TCP payload rate as the calibration measured it, bytes/s. */
function payloadBytesPerS(context: NoteContext): number {
  return linkAt(context.testbed, LINK_PROFILES[context.system].rateMbitPerS).payloadBytesPerS.mean;
}

const signed = (value: number, digits: number) => `${value >= 0 ? '+' : ''}${value.toFixed(digits)}`;
const list = (rows: readonly Paired[], render: (row: Paired) => string) => rows.map(render).join(', ');
const at = (row: ValidationRow) => `${row.memory_mb} MB${row.dirty_pages_per_s! > 0 ? ` at ${row.dirty_pages_per_s} pages/s` : ''}`;

/** Least squares y = a x1 + b x2 (no intercept); undefined when the two are not independent in the data. */
export function fitTwo(x1: readonly number[], x2: readonly number[], y: readonly number[]): { a: number; b: number } | undefined {
  let s11 = 0;
  let s12 = 0;
  let s22 = 0;
  let s1y = 0;
  let s2y = 0;
  for (let i = 0; i < y.length; i++) {
    s11 += x1[i]! * x1[i]!;
    s12 += x1[i]! * x2[i]!;
    s22 += x2[i]! * x2[i]!;
    s1y += x1[i]! * y[i]!;
    s2y += x2[i]! * y[i]!;
  }
  const det = s11 * s22 - s12 * s12;
  if (y.length < 2 || Math.abs(det) <= 1e-9 * s11 * s22) return undefined;
  return { a: (s1y * s22 - s2y * s12) / det, b: (s2y * s11 - s1y * s12) / det };
}

/** Slope of y over x by least squares (with intercept); undefined with fewer than two distinct x. */
export function slope(x: readonly number[], y: readonly number[]): number | undefined {
  const mx = mean(x);
  const my = mean(y);
  if (mx === undefined || my === undefined) return undefined;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    sxx += (x[i]! - mx) ** 2;
    sxy += (x[i]! - mx) * (y[i]! - my);
  }
  return sxx === 0 ? undefined : sxy / sxx;
}

const kept = (rows: readonly Paired[]) => list(rows, (row) => `${row.measured.toFixed(0)} vs ${row.predicted.toFixed(0)} % at ${at(row)}`);

/** What the models of QEMU's schemes (docs/model.md §11) take on trust. */
export const SCHEME_NOTES: readonly MechanismNote[] = [
  {
    id: 'throttle-write-share',
    metrics: ['guest_rate_kept_pct', 'migration_time_s'],
    systems: ['auto-converge'],
    points: 'dirtying',
    mechanism:
      "The model takes the workload's writes to need all the vCPU time they get (QEMU_SCHEMES.autoConverge.guestWriteVcpuShare = 1), so a throttle of p % cuts its writes, and its dirty rate, by p %. guest/workload.c paces its writes in 10 ms ticks and catches up after a stall (up to a second's backlog): while its writes need less of the vCPU than the throttle leaves it, it keeps its rate, the throttle only climbs, and the migration converges later or not at all.",
    evidence: (context) => {
      const own = paired(context.group);
      if (own.length === 0) return undefined;
      const rows = paired(context.rows.filter((row) => row.metric === 'guest_rate_kept_pct' && row.system === 'auto-converge'));
      return `write rate kept during the migration, testbed vs model: ${kept(rows)}.`;
    },
  },
  {
    id: 'postcopy-fault-wait',
    metrics: ['guest_rate_kept_pct', 'migration_time_s'],
    systems: ['postcopy'],
    points: 'dirtying',
    mechanism:
      "After the switch a write to a page not yet received stalls the guest until that page arrives; the model sends it next but behind what the ssh channel's window and the local socket hold (QEMU 7.2's postcopy-preempt channel is off by default), and the guest then writes min(rate, 1 / (stale share × wait)). How full that queue really is during the push, and whether the kernel's own faults add to the workload's, is not measured.",
    evidence: (context) => {
      const rows = paired(context.rows.filter((row) => row.metric === 'guest_rate_kept_pct' && row.system === 'postcopy'));
      if (rows.length === 0) return undefined;
      const queueS = context.parameters.qemuSchemes.postcopy.faultQueueBytes / payloadBytesPerS(context);
      return `write rate kept, testbed vs model: ${kept(rows)}; the model's wait per fault ≈ ${(queueS * 1000).toFixed(0)} ms.`;
    },
  },
  {
    id: 'xbzrle-cache-hits',
    metrics: ['network_bytes', 'migration_time_s'],
    systems: ['xbzrle'],
    points: 'dirtying',
    mechanism:
      "XBZRLE saves bytes only on re-sent pages found in its 64 MiB direct-mapped cache. The model replays QEMU's cache rules on the workload's uniform writes, with the region's frames scattered by a drawn layout (which decides how many of them share a slot); the guest's real frame layout, and pages its kernel writes, are not known.",
    evidence: (context) => {
      const rows = paired(context.group);
      if (rows.length === 0) return undefined;
      return `this metric: ${list(rows, (row) => `${signed(row.error_pct!, 0)} % at ${at(row)}`)}.`;
    },
  },
];

export const MECHANISM_NOTES: readonly MechanismNote[] = [
  {
    id: 'cpu-unmodelled-work',
    metrics: ['cpu_time_s'],
    systems: 'pre-copy',
    points: 'all',
    mechanism:
      "The model counts memory copies and encryption per byte (host profile rates), the CPU per byte the unshaped calibration run spent beyond them, an idle running guest's CPU per second, and a fixed cost per migration. It does not count what a shaped link adds: tbf paces the stream, so the sender, ssh and sshd wake up for smaller writes and wait on a full queue, and the TCG guest competes with them for two cores for the whole of a longer migration.",
    evidence: (context) => {
      const own = paired(context.group);
      if (own.length === 0) return undefined;
      // The unmodelled part has two likely shapes, per second and per byte: tell them apart across every pre-copy point.
      const rows = paired(context.rows).filter(
        (row) => row.metric === 'cpu_time_s' && isPaperSystem(row.system) && !LINK_PROFILES[row.system].zeroCopy,
      );
      const times = rows.map((row) => other(context, row, 'migration_time_s', 'measured'));
      const bytes = rows.map((row) => other(context, row, 'network_bytes', 'measured'));
      const unexplained = `measured − predicted: ${list(own, (row) => `${signed(row.measured - row.predicted, 2)} s at ${at(row)}`)}`;
      if (times.some((t) => t === undefined) || bytes.some((b) => b === undefined)) return `${unexplained}.`;
      const fit = fitTwo(times as number[], bytes as number[], rows.map((row) => row.measured - row.predicted));
      if (fit !== undefined && fit.a >= 0 && fit.b >= 0) {
        return `${unexplained}; across the ${rows.length} pre-copy points, ≈ ${fit.a.toFixed(3)} CPU-s per second of migration plus ${(fit.b * 1e9).toFixed(2)} ns per byte on the link.`;
      }
      const perSecond = own.map((row) => (row.measured - row.predicted) / (other(context, row, 'migration_time_s', 'measured') ?? Number.NaN));
      return `${unexplained}: ≈ ${mean(perSecond)!.toFixed(3)} cores for as long as the migration ran.`;
    },
  },
  {
    id: 'cpu-clock-ticks',
    metrics: ['cpu_time_s'],
    systems: 'zero-copy',
    points: 'all',
    mechanism:
      "A zero-copy migration takes tens of milliseconds; /proc/<pid>/stat counts CPU in 10 ms clock ticks, so both the calibration's fixed CPU cost and this measurement are a few ticks, ± one.",
    evidence: (context) => {
      const rows = paired(context.group);
      if (rows.length === 0) return undefined;
      return `measured ${list(rows, (row) => `${Math.round(row.measured * 100)} ticks at ${at(row)}`)}; calibration ${(context.testbed.zeroCopy.cpuS.mean * 100).toFixed(1)} ± ${(context.testbed.zeroCopy.cpuS.moe * 100).toFixed(1)} ticks.`;
    },
  },
  {
    id: 'zero-copy-fixed-costs',
    metrics: ['migration_time_s', 'downtime_s'],
    systems: 'zero-copy',
    points: 'all',
    mechanism:
      "Zero-copy time on this testbed is only fixed costs (QMP, device state, RESUME), which the host profile takes from the 128 MB calibration runs; they vary from run to run by about as much as they are, so a relative error on tens of milliseconds says little.",
    evidence: (context) => {
      const rows = paired(context.group);
      if (rows.length === 0) return undefined;
      const calibration = rows[0]!.metric === 'downtime_s' ? context.testbed.zeroCopy.downtimeS : context.testbed.zeroCopy.migrationS;
      const worst = Math.max(...rows.map((row) => Math.abs(row.measured - row.predicted)));
      return `off by at most ${(worst * 1000).toFixed(1)} ms; the calibration measured ${(calibration.mean * 1000).toFixed(1)} ± ${(calibration.moe * 1000).toFixed(1)} ms (95 %, n=${calibration.samples}), ranging ${(calibration.min * 1000).toFixed(1)}–${(calibration.max * 1000).toFixed(1)} ms.`;
    },
  },
  {
    id: 'queued-at-stop',
    metrics: ['downtime_s'],
    systems: 'pre-copy',
    points: 'idle',
    mechanism:
      "Bytes queued between sender and destination when the guest stops drain before it resumes. The model queues OpenSSH's channel window plus the unix socket's buffer (ssh) or the tbf queue (tcp); how full Linux's autotuned TCP send buffers and the tunnel really are at that moment is not modelled.",
    evidence: (context) => {
      const rows = atRate(paired(context.group), 'idle');
      if (rows.length === 0 || context.system === 'vmbeam') return undefined;
      const path = context.parameters.precopyPaths[context.system];
      const rate = payloadBytesPerS(context);
      const implied = rows.map((row) => (row.measured - path.finalStageS) * rate);
      if (implied.some((bytes) => bytes < 0)) return undefined; // the final stage alone is too long: see final-stage-link
      const transport = LINK_PROFILES[context.system].transport === 'ssh' ? 'the SSH tunnel' : 'plain TCP';
      return `the measured downtime less the model's final stage implies ${list(rows, (row) => `${((row.measured - path.finalStageS) * rate / 1e6).toFixed(2)} MB at ${at(row)}`)} queued at the stop (${transport} on a ${LINK_PROFILES[context.system].rateMbitPerS} Mbit/s link, drained at its measured payload rate); the model queues ${(path.inFlightBytesAtStop / 1e6).toFixed(2)} MB.`;
    },
  },
  {
    id: 'final-stage-link',
    metrics: ['downtime_s'],
    systems: 'pre-copy',
    points: 'idle',
    mechanism:
      "The final stage (device state, RESUME) is the zero-copy calibration's STOP-to-RESUME time, measured with the device state crossing vmbeam's link. On a faster link the state crosses sooner, so a fixed final stage overstates the downtime there.",
    evidence: (context) => {
      const rows = atRate(paired(context.group), 'idle');
      if (rows.length === 0 || context.system === 'vmbeam') return undefined;
      const finalStageS = context.parameters.precopyPaths[context.system].finalStageS;
      const below = rows.filter((row) => row.measured < finalStageS);
      if (below.length === 0) return undefined;
      return `measured ${list(below, (row) => `${(row.measured * 1000).toFixed(1)} ms at ${at(row)}`)}: shorter than the final stage alone (${(finalStageS * 1000).toFixed(1)} ms, measured on a ${LINK_PROFILES.vmbeam.rateMbitPerS} Mbit/s link; this one runs at ${LINK_PROFILES[context.system].rateMbitPerS} Mbit/s).`;
    },
  },
  {
    id: 'idle-guest-writes',
    metrics: ['iterations', 'pages_sent'],
    systems: 'pre-copy',
    points: 'idle',
    mechanism:
      "The model's idle guest writes nothing. An idle Linux guest still dirties pages (timers, RCU, the page cache), so QEMU finds some dirty after pass 1 and, under a downtime limit of a few milliseconds, sends them in another pass.",
    evidence: (context) => {
      const rows = atRate(paired(context.group), 'idle');
      if (rows.length === 0) return undefined;
      if (rows[0]!.metric === 'iterations') {
        return `the testbed counted ${list(rows, (row) => `${signed(row.measured - row.predicted, 0)} at ${at(row)}`)} iterations.`;
      }
      const rates = rows.map((row) => (row.measured - row.predicted) / (other(context, row, 'migration_time_s', 'measured') ?? Number.NaN));
      return `the testbed sent ${list(rows, (row) => `${signed(row.measured - row.predicted, 0)} pages at ${at(row)}`)}: an idle guest dirtying ≈ ${mean(rates.filter(Number.isFinite))?.toFixed(0) ?? '?'} pages/s.`;
    },
  },
  {
    id: 'guest-data-pages',
    metrics: ['network_bytes', 'migration_time_s'],
    systems: 'pre-copy',
    points: 'idle',
    mechanism:
      "How many of the guest's pages hold data: the model scales the 128 MB calibration guest by the workload's fill rule (MemAvailable less its margin, 64 bytes of struct page per 4 KiB); what the kernel keeps aside at other sizes (page cache, slab, the initramfs) is not measured. Zero pages cost 9 bytes, data pages 4104.",
    evidence: (context) => {
      const rows = atRate(paired(context.group), 'idle');
      if (rows.length < 2) return undefined;
      const sizes = rows.map((row) => row.memory_mb!);
      const measured = slope(sizes, rows.map((row) => row.measured));
      const predicted = slope(sizes, rows.map((row) => row.predicted));
      if (measured === undefined || predicted === undefined) return undefined;
      const unit = rows[0]!.metric === 'network_bytes' ? (value: number) => `${(value / 1e6).toFixed(3)} MB` : (value: number) => `${(value * 1000).toFixed(1)} ms`;
      return `per MB of guest the testbed took ${unit(measured)}, the model ${unit(predicted)} (${signed(((predicted - measured) / measured) * 100, 1)} %); at ${rows[0]!.memory_mb} MB, where the model is anchored, ${signed(rows[0]!.error_pct!, 1)} %.`;
    },
  },
  {
    id: 'link-efficiency',
    metrics: ['migration_time_s'],
    systems: 'pre-copy',
    points: 'idle',
    mechanism:
      "The stream's rate on a shaped link: the model takes the payload rate of a bulk TCP transfer over the same link (calibration); the migration's stream writes in other pieces (QEMU's buffers, SSH packets) and shares two cores with an emulated guest, which can make it a little slower or faster.",
    evidence: (context) => {
      const rows = atRate(paired(context.group), 'idle');
      const rates = rows.flatMap((row) => {
        const measured = other(context, row, 'network_bytes', 'measured');
        const predicted = other(context, row, 'network_bytes', 'predicted');
        if (measured === undefined || predicted === undefined) return [];
        const mbps = (bytes: number, seconds: number) => ((bytes * 8) / seconds / 1e6).toFixed(1);
        return [`${mbps(measured, row.measured)} vs ${mbps(predicted, row.predicted)} Mbit/s at ${at(row)}`];
      });
      if (rates.length === 0) return undefined;
      return `link bytes over migration time, testbed vs model: ${rates.join(', ')}, on a ${LINK_PROFILES[context.system].rateMbitPerS} Mbit/s link.`;
    },
  },
  {
    id: 'dirtying-under-tcg',
    metrics: ['migration_time_s', 'network_bytes', 'pages_sent', 'iterations', 'downtime_s'],
    systems: 'pre-copy',
    points: 'dirtying',
    mechanism:
      "With a dirtying guest, what is sent depends on the rate the guest really writes at and on where QEMU's passes end: the workload writes in 10 ms ticks on an emulated (TCG) vCPU that shares two cores with the migration; QEMU syncs the bitmap once what is left of a pass falls below its threshold, and the engine's forced final pass lands up to one convergence check (about 100 ms) after its decision.",
    evidence: (context) => {
      const rows = atRate(paired(context.group), 'dirtying');
      if (rows.length === 0) return undefined;
      const pages = rows.map((row) => ({ row, predicted: other(context, row, 'pages_sent', 'predicted'), measured: other(context, row, 'pages_sent', 'measured') }));
      const errors = `this metric: ${list(rows, (row) => `${signed(row.error_pct!, 0)} % at ${at(row)}`)}.`;
      // The alternatives experiment does not compare pages sent.
      if (pages.every(({ predicted, measured }) => predicted === undefined && measured === undefined)) return `${errors[0]!.toUpperCase()}${errors.slice(1)}`;
      return `pages sent, testbed vs model: ${pages.map(({ row, predicted, measured }) => `${measured ?? '?'} vs ${predicted ?? '?'} at ${at(row)}`).join(', ')}; ${errors}`;
    },
  },
];

/** The notes that apply to a metric of a system, with their evidence from the rows. */
export function notesFor(
  metric: Metric,
  system: string,
  rows: readonly ValidationRow[],
  testbed: MeasuredTestbed,
  parameters: SimParameters,
): { note: MechanismNote; evidence: string }[] {
  // `auto` ran one of the others; its rows say which in alternatives.csv.
  if (!isSystemName(system) || system === 'auto') return [];
  const carrier = carrierOf(system);
  const kind = LINK_PROFILES[carrier].zeroCopy ? 'zero-copy' : 'pre-copy';
  const group = rows.filter((row) => row.metric === metric && row.system === system);
  const found: { note: MechanismNote; evidence: string }[] = [];
  for (const note of [...MECHANISM_NOTES, ...SCHEME_NOTES]) {
    const applies = typeof note.systems === 'string' ? note.systems === kind : note.systems.includes(system);
    if (!applies || !note.metrics.includes(metric)) continue;
    const scoped = note.points === 'all' ? group : group.filter((row) => (note.points === 'idle') === (row.dirty_pages_per_s === 0));
    if (paired(scoped).length === 0) continue;
    const evidence = note.evidence({ group: scoped, rows, system: carrier, testbed, parameters });
    if (evidence !== undefined) found.push({ note, evidence });
  }
  return found;
}
