/**
 * Parsers for what `xl -v migrate` prints, for Xen 4.2-era xl/libxc and for
 * current xl with the libxenguest save code. Pure: lines in, facts out.
 *
 * Every pattern below is built from a format string of Xen's public source;
 * the comment above each quotes it with its file. Abbreviations used:
 *   4.2 xl    = tools/libxl/xl_cmdimpl.c at RELEASE-4.2.2 (migrate_domain, migrate_receive)
 *   xl        = tools/xl/xl_migrate.c (current)
 *   4.2 libxc = tools/libxc/xc_domain_save.c at RELEASE-4.2.2
 *   xg        = tools/libs/guest/xg_sr_save.c (current; tools/libxc/xc_sr_save.c from 4.6)
 *   xtl       = tools/libs/toollog/xtl_logger_stdio.c: a message is printed as
 *               "<context>: <level>: <text>", e.g. "xc: detail: ...", and a
 *               progress report as "<context>: <what>: <done>/<total>  <pct>%"
 *               (with "progress: " after the context when not redrawn with \r).
 *
 * What stock xl shows: while the sender streams memory, xl hides the
 * sender's progress bar (both xl versions call
 * `xtl_stdiostream_adjust_flags(logger, XTL_STDIOSTREAM_HIDE_PROGRESS, 0)`
 * before `libxl_domain_suspend`), so on a stock build the per-pass facts of
 * 4.2 come from libxc's `delta …` statistics lines, which `-v` makes
 * visible. The progress lines are parsed for builds and wrappers that do show
 * them; current libxenguest prints no per-pass statistics at all, so without
 * its progress lines a current xl's iterations and pages are unknown.
 */
import type { TimedLine } from './lines.ts';

/** The handshake of migrate_domain / migrate_receive, in the order it happens. */
export const HANDSHAKE = {
  // 4.2 xl and xl: fprintf(stderr, "migration target: Ready to receive domain.\n");
  receiverReady: 'migration target: Ready to receive domain.',
  // 4.2 xl and xl: "migration target: Transfer complete," " requesting permission to start domain.\n"
  transferComplete: 'migration target: Transfer complete, requesting permission to start domain.',
  // 4.2 xl and xl: "migration sender: Target has acknowledged transfer.\n"
  senderAcknowledged: 'migration sender: Target has acknowledged transfer.',
  // 4.2 xl and xl: "migration sender: Giving target permission to start.\n"
  permissionGiven: 'migration sender: Giving target permission to start.',
  // 4.2 xl and xl: "migration target: Got permission, starting domain.\n"
  permissionReceived: 'migration target: Got permission, starting domain.',
  // 4.2 xl and xl: "migration target: Domain started successsfully.\n" (sic, three s)
  targetStarted: 'migration target: Domain started successsfully.',
  // 4.2 xl and xl: "migration sender: Target reports successful startup.\n"
  targetReportedStartup: 'migration sender: Target reports successful startup.',
  // 4.2 xl and xl: fprintf(stderr, "Migration successful.\n");
  successful: 'Migration successful.',
} as const;

export type HandshakeStep = keyof typeof HANDSHAKE;

/** The summary lines xl prints last when a migration fails. */
export const FAILURE_SUMMARIES = [
  // 4.2 xl and xl, label failed_resume: "Migration failed, resuming at sender.\n"
  'Migration failed, resuming at sender.',
  // 4.2 xl and xl, label failed_suspend: "Migration failed, failed to suspend at sender.\n"
  'Migration failed, failed to suspend at sender.',
  // 4.2 xl and xl, after "Target reports startup failure": "Migration failed due to problems at target.\n"
  'Migration failed due to problems at target.',
  // 4.2 xl and xl, label failed_badly: "** Migration failed during final handshake **\n"
  '** Migration failed during final handshake **',
] as const;

/** Lines that explain a failure; the first one seen is reported beside the summary. */
const FAILURE_DETAILS: readonly RegExp[] = [
  // 4.2 xl and xl: "migration sender: libxl_domain_suspend failed" " (rc=%d)\n"
  /^migration sender: libxl_domain_suspend failed \(rc=-?\d+\)$/,
  // 4.2 xl and xl: "migration sender: Target reports startup failure" " (status code %d).\n"
  /^migration sender: Target reports startup failure \(status code -?\d+\)\.$/,
  // 4.2 xl and xl: "migration target: Domain creation failed" " (code %d).\n"
  /^migration target: Domain creation failed \(code -?\d+\)\.$/,
  // 4.2 xl and xl: "migration target: Failure, destroying our copy.\n"
  /^migration target: Failure, destroying our copy\.$/,
  // 4.2 xl and xl: "migration target: Failed to destroy our copy" " (code %d).\n"
  /^migration target: Failed to destroy our copy \(code -?\d+\)\.$/,
  // 4.2 xl and xl (migrate_read_fixedmessage): "%s contained unexpected data instead of %s\n"
  /^migration (?:receiver )?stream contained unexpected data instead of .+$/,
  // 4.2 xl and xl: "No config file stored for running domain and " "none supplied - cannot migrate.\n"
  /^No config file stored for running domain and none supplied - cannot migrate\.$/,
  // 4.2 xl (find_domain): "%s is an invalid domain identifier (rc=%d)\n"
  /^.+ is an invalid domain identifier(?: \(rc=-?\d+\))?$/,
  // libxl and libxc errors through xtl: "libxl: error: ..." and "xc: error: ..."
  /^(?:libxl|xc|libxl-save-helper): error: .+$/,
];

// 4.2 libxc, print_stats(): DPRINTF("delta %lldms, dom0 %d%%, target %d%%, sent %dMb/s, "
//                                   "dirtied %dMb/s %" PRId32 " pages\n", ...)
const PASS_STATS =
  /delta (\d+)ms, dom0 (-?\d+)%, target (-?\d+)%, sent (-?\d+)Mb\/s, dirtied (-?\d+)Mb\/s (-?\d+) pages$/;
// 4.2 libxc: snprintf(reportbuf, sizeof(reportbuf), "Saving memory: iter %d (last sent %u skipped %u)", ...)
// followed by xtl's ": %lu/%lu  %3d%%"
const SAVING_MEMORY = /Saving memory: iter (\d+) \(last sent (\d+) skipped (\d+)\): (\d+)\/(\d+)\s+(\d+)%$/;
// xg: asprintf(&new_str, "Frames iteration %u", iter) as the progress prefix, then xtl's ": %lu/%lu  %3d%%"
const FRAMES_ITERATION = /Frames iteration (\d+): (\d+)\/(\d+)\s+(\d+)%$/;
// 4.2 libxc: DPRINTF("Start last iteration\n");
const START_LAST_ITERATION = /(?:^|: )Start last iteration$/;
// xg, suspend_domain(): xc_report_progress_single(xch, "Domain now suspended");
const DOMAIN_SUSPENDED = /(?:^|: )Domain now suspended(?::|$)/;
// libxl (4.5+), libxl_dom_suspend.c suspend_common_wait_guest_check(): LOGD(DEBUG, domid, "guest has suspended"),
// printed by xtl as "libxl: debug: <file>:<line>:<function>: Domain <id>:guest has suspended" with -vvv;
// stock xl hides libxenguest's "Domain now suspended", so this is a current xl's suspend line.
// The message is one write, but its prefix and its newline are others: match the message alone.
const GUEST_HAS_SUSPENDED = /libxl_dom_suspend\.c:\d+:\w+: Domain \d+:guest has suspended/;
// 4.2 libxc: DPRINTF("Total pages sent= %ld (%.2fx)\n", total_sent, ((float)total_sent)/dinfo->p2m_size);
const TOTAL_PAGES_SENT = /Total pages sent= (\d+) \((\d+(?:\.\d+)?)x\)$/;
// 4.2 xl and xl, save_domain_core_writeconfig(): "Saving to %s new xl format (info 0x%x/0x%x/%u)\n"
const STREAM_STARTED = /^Saving to migration stream new xl format \(info 0x[0-9a-f]+\/0x[0-9a-f]+\/\d+\)$/;

/** One pass's statistics line (4.2 libxc, printed after each pass with -v). */
export interface PassStats {
  readonly deltaMs: number;
  readonly dom0CpuPct: number;
  readonly targetCpuPct: number;
  readonly sentMbps: number;
  readonly dirtiedMbps: number;
  /** Pages the guest dirtied during the pass (the shadow op's dirty_count). */
  readonly dirtiedPages: number;
}

export type XlLine =
  | { readonly kind: 'handshake'; readonly step: HandshakeStep }
  | { readonly kind: 'stream-started' }
  | { readonly kind: 'pass-stats'; readonly stats: PassStats }
  /**
   * 4.2 progress. `iter` counts the passes finished before this one, so the
   * line belongs to pass `iter + 1`, and `lastSent`/`lastSkipped` are the
   * pages pass `iter` sent and skipped.
   */
  | {
      readonly kind: 'saving-memory';
      readonly iter: number;
      readonly lastSent: number;
      readonly lastSkipped: number;
      readonly done: number;
      readonly total: number;
      readonly percent: number;
    }
  /**
   * Current progress: live pass k shows `iteration` k-1 and the final pass
   * the number of live passes; `total` is the pages due in that pass.
   */
  | { readonly kind: 'frames'; readonly iteration: number; readonly done: number; readonly total: number; readonly percent: number }
  /** The guest is being suspended: 4.2's `Start last iteration`, current `Domain now suspended`, or libxl's `guest has suspended`. */
  | { readonly kind: 'suspend' }
  | { readonly kind: 'total-sent'; readonly pages: number; readonly factor: number }
  | { readonly kind: 'failure-summary'; readonly text: string }
  | { readonly kind: 'failure-detail'; readonly text: string }
  | { readonly kind: 'other'; readonly text: string };

const HANDSHAKE_BY_TEXT = new Map<string, HandshakeStep>(
  (Object.entries(HANDSHAKE) as [HandshakeStep, string][]).map(([step, text]) => [text, step]),
);

/**
 * xl's own fixed lines are single writes ending in a newline, but they share
 * one stderr with the receiver's messages (relayed by ssh), which xtl writes
 * piece by piece (context, level, message, newline: xtl_logger_stdio.c), and
 * which ssh relays in whatever chunks it received. So on a real 4.17 testbed
 * a fixed line can arrive behind a fragment of another message, e.g.
 * "libxl: migration sender: Target reports successful startup."; it is
 * recognised by how the line ends.
 */
const FIXED_LINES: readonly XlLine[] = [
  ...(Object.keys(HANDSHAKE) as HandshakeStep[]).map((step): XlLine => ({ kind: 'handshake', step })),
  ...FAILURE_SUMMARIES.map((text): XlLine => ({ kind: 'failure-summary', text })),
];

function fixedText(line: XlLine): string {
  return line.kind === 'handshake' ? HANDSHAKE[line.step] : line.kind === 'failure-summary' ? line.text : '';
}

/** Classifies one line of xl output (already split on \r and \n). */
export function classifyLine(raw: string): XlLine {
  const text = raw.trim();
  const whole = exactLine(text);
  if (whole !== undefined) return whole;
  // The fragment before need not end in a space: a relayed message's text arrives without its newline.
  const behindFragment = FIXED_LINES.find((fixed) => text.endsWith(fixedText(fixed)));
  if (behindFragment !== undefined) return behindFragment;
  if (STREAM_STARTED.test(text)) return { kind: 'stream-started' };
  let match = PASS_STATS.exec(text);
  if (match !== null) {
    const [, delta, dom0, target, sent, dirtied, pages] = match.map(Number) as number[];
    return {
      kind: 'pass-stats',
      stats: { deltaMs: delta!, dom0CpuPct: dom0!, targetCpuPct: target!, sentMbps: sent!, dirtiedMbps: dirtied!, dirtiedPages: pages! },
    };
  }
  match = SAVING_MEMORY.exec(text);
  if (match !== null) {
    const [, iter, lastSent, lastSkipped, done, total, percent] = match.map(Number) as number[];
    return { kind: 'saving-memory', iter: iter!, lastSent: lastSent!, lastSkipped: lastSkipped!, done: done!, total: total!, percent: percent! };
  }
  match = FRAMES_ITERATION.exec(text);
  if (match !== null) {
    const [, iteration, done, total, percent] = match.map(Number) as number[];
    return { kind: 'frames', iteration: iteration!, done: done!, total: total!, percent: percent! };
  }
  if (START_LAST_ITERATION.test(text) || DOMAIN_SUSPENDED.test(text) || GUEST_HAS_SUSPENDED.test(text)) return { kind: 'suspend' };
  match = TOTAL_PAGES_SENT.exec(text);
  if (match !== null) return { kind: 'total-sent', pages: Number(match[1]), factor: Number(match[2]) };
  if (FAILURE_DETAILS.some((pattern) => pattern.test(text))) return { kind: 'failure-detail', text };
  return { kind: 'other', text };
}

/** xl's own fixed lines: the handshake and the failure summaries. */
function exactLine(text: string): XlLine | undefined {
  const step = HANDSHAKE_BY_TEXT.get(text);
  if (step !== undefined) return { kind: 'handshake', step };
  if ((FAILURE_SUMMARIES as readonly string[]).includes(text)) return { kind: 'failure-summary', text };
  return undefined;
}

/** Arrival times (performance.now(), like TimedLine) of the events that define the row. */
export interface MigrationTimes {
  readonly suspendMs: number | undefined;
  readonly targetStartedMs: number | undefined;
  readonly successMs: number | undefined;
}

interface LogFacts {
  readonly times: MigrationTimes;
  /** Memory passes including the final stop-and-copy pass, if the log shows them. */
  readonly iterations: number | undefined;
  readonly pagesSent: number | undefined;
  readonly passStats: readonly PassStats[];
  readonly handshake: readonly HandshakeStep[];
  /** Lines that were xl's, not noise: 0 means the output was not xl's at all. */
  readonly recognised: number;
}

/** What a migration's output came to; a tagged union so success and failure cannot be confused. */
export type MigrationLog =
  | ({ readonly status: 'succeeded' } & LogFacts)
  | ({ readonly status: 'failed'; readonly failure: string } & LogFacts)
  /** Output ended without success or a failure line (killed, or not xl at all). */
  | ({ readonly status: 'incomplete'; readonly lastLine: string | undefined } & LogFacts);

/** Reads a whole migration's timestamped output. */
export function parseMigrationLog(lines: readonly TimedLine[]): MigrationLog {
  const handshake: HandshakeStep[] = [];
  const passStats: PassStats[] = [];
  const savingMemoryIters = new Set<number>();
  const framesPasses: { iteration: number; done: number; total: number }[] = [];
  let suspendMs: number | undefined;
  let targetStartedMs: number | undefined;
  let successMs: number | undefined;
  let totalSent: number | undefined;
  let summary: string | undefined;
  let detail: string | undefined;
  let recognised = 0;

  for (const line of lines) {
    const parsed = classifyLine(line.text);
    if (parsed.kind !== 'other') recognised++;
    switch (parsed.kind) {
      case 'handshake':
        handshake.push(parsed.step);
        if (parsed.step === 'targetReportedStartup') targetStartedMs ??= line.tMs;
        if (parsed.step === 'successful') successMs ??= line.tMs;
        break;
      case 'pass-stats':
        passStats.push(parsed.stats);
        break;
      case 'saving-memory':
        savingMemoryIters.add(parsed.iter);
        break;
      case 'frames': {
        // A pass is a run of lines whose counter only grows. xg numbers the
        // final pass like the last live one when the policy stops before a
        // new number is set, so a restart of the counter also starts a pass.
        const current = framesPasses.at(-1);
        if (current === undefined || current.iteration !== parsed.iteration || parsed.done < current.done) {
          framesPasses.push({ iteration: parsed.iteration, done: parsed.done, total: parsed.total });
        } else {
          current.done = parsed.done;
          current.total = Math.max(current.total, parsed.total);
        }
        break;
      }
      case 'suspend':
        suspendMs ??= line.tMs;
        break;
      case 'total-sent':
        totalSent = parsed.pages;
        break;
      case 'failure-summary':
        summary ??= parsed.text;
        break;
      case 'failure-detail':
        detail ??= parsed.text;
        break;
      case 'stream-started':
      case 'other':
        break;
    }
  }

  const facts: LogFacts = {
    times: { suspendMs, targetStartedMs, successMs },
    iterations: countIterations(passStats, savingMemoryIters, framesPasses.length),
    pagesSent: totalSent ?? (framesPasses.length > 0 ? framesPasses.reduce((sum, pass) => sum + pass.total, 0) : undefined),
    passStats,
    handshake,
    recognised,
  };
  if (summary !== undefined) {
    return { status: 'failed', failure: detail === undefined ? summary : `${summary} (${detail})`, ...facts };
  }
  if (successMs !== undefined) return { status: 'succeeded', ...facts };
  return { status: 'incomplete', lastLine: lines.at(-1)?.text, ...facts };
}

function countIterations(
  passStats: readonly PassStats[],
  savingMemory: ReadonlySet<number>,
  framesPasses: number,
): number | undefined {
  // 4.2 libxc prints one statistics line after every live pass and one after
  // the final pass (print_stats(..., 1) in both places).
  if (passStats.length > 0) return passStats.length;
  // 4.2 progress: "iter N" is shown while pass N + 1 runs.
  if (savingMemory.size > 0) return Math.max(...savingMemory) + 1;
  // Current progress: one run of "Frames iteration" lines per pass.
  if (framesPasses > 0) return framesPasses;
  return undefined;
}
