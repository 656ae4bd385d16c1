/**
 * results/host-profile.json: what `npm run calibrate` measured on this
 * host, every figure with its statistics. Written by the calibrate command,
 * read back (and validated field by field) by the simulator's `host`
 * profile. A missing or stale file is a one-line error saying what to run.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/** Bump when the shape changes; an older file is rejected with "run npm run calibrate". */
export const HOST_PROFILE_VERSION = 2;
export const DEFAULT_HOST_PROFILE_PATH = 'results/host-profile.json';

const statistic = (unit: string) =>
  z.strictObject({
    unit: z.literal(unit),
    mean: z.number().finite(),
    moe: z.number().finite().nonnegative(),
    rme: z.number().finite().nonnegative(),
    samples: z.number().int().min(2),
    min: z.number().finite(),
    max: z.number().finite(),
  });

/** The ciphers measured, by their OpenSSL / node:crypto names. */
export const CIPHERS = ['aes-128-ctr', 'chacha20-poly1305', 'aes-128-gcm'] as const;
export type CipherName = (typeof CIPHERS)[number];

const cipherRates = z.strictObject({
  'aes-128-ctr': statistic('B/s'),
  'chacha20-poly1305': statistic('B/s'),
  'aes-128-gcm': statistic('B/s'),
});

/** A tagged union: measured, or why not (a missing tool, a skipped step). */
const unavailable = z.strictObject({ status: z.literal('unavailable'), reason: z.string().min(1) });

const guestReport = z.strictObject({
  /** The workload's ready line: MemTotal, MemAvailable and what it filled, MB. */
  totalMb: statistic('MB'),
  availableMb: statistic('MB'),
  filledMb: statistic('MB'),
});

const zeroCopyRun = z.strictObject({
  system: z.literal('vmbeam'),
  memoryMb: z.number().int().positive(),
  /** migrate until the destination's RESUME. */
  migrationS: statistic('s'),
  /** Source STOP to destination RESUME. */
  downtimeS: statistic('s'),
  /** Bytes on the link: device state and the small non-shared RAM blocks. */
  networkBytes: statistic('B'),
  /** Pages QEMU sent (the non-shared RAM blocks: BIOS and option ROMs). */
  pagesSent: statistic('pages'),
  cpuS: statistic('s'),
});

const precopyRun = z.strictObject({
  system: z.literal('xen-nest'),
  transport: z.literal('ssh'),
  memoryMb: z.number().int().positive(),
  migrationS: statistic('s'),
  downtimeS: statistic('s'),
  networkBytes: statistic('B'),
  /** query-migrate ram.transferred: the RAM stream's bytes. */
  streamBytes: statistic('B'),
  /** ram.normal: pages sent with their contents. */
  normalPages: statistic('pages'),
  /** ram.duplicate: pages QEMU found zero and sent as a flag. */
  zeroPages: statistic('pages'),
  cpuS: statistic('s'),
  guest: guestReport,
});

const linkMeasurement = z.strictObject({
  /** The tbf rate the link was shaped to (a rate of qemu/link-profiles.ts LINK_PROFILES). */
  rateMbitPerS: z.number().positive(),
  /** Bulk TCP payload through it. */
  payloadBytesPerS: statistic('B/s'),
  /** Bytes the source's interface counts per payload byte, out (data) and in (ACKs). */
  txPerPayloadByte: statistic('B/B'),
  rxPerPayloadByte: statistic('B/B'),
});

const testbed = z.discriminatedUnion('status', [
  z.strictObject({
    status: z.literal('measured'),
    accel: z.enum(['kvm', 'tcg']),
    policy: z.enum(['xen', 'qemu']),
    /** The guest kernel's file name (e.g. vmlinuz-6.1.0-56-amd64); absent in profiles from before it was recorded. */
    guestKernel: z.string().min(1).optional(),
    /** Source QEMU start until its QMP socket answers, over every calibration migration. */
    qmpReadyS: statistic('s'),
    /** Source QEMU start until the workload's ready line (boot and memory fill). */
    bootS: statistic('s'),
    zeroCopy: zeroCopyRun,
    precopyUnshaped: precopyRun,
    /** CPU of a QEMU running the idle, filled guest, per second of wall time (at the destination after each zero-copy run). */
    runningGuestCpuPerS: statistic('s/s'),
    /** One entry per shaped rate of the testbed's links. */
    links: z.array(linkMeasurement).min(1),
  }),
  unavailable,
]);

export const hostProfileSchema = z.strictObject({
  version: z.literal(HOST_PROFILE_VERSION),
  measuredAt: z.string().min(1),
  /** Wall time of the calibrate command. */
  durationS: z.number().nonnegative(),
  machine: z.strictObject({
    cpuModel: z.string().min(1),
    cores: z.number().int().positive(),
    memoryBytes: z.number().int().positive(),
    kernel: z.string().min(1),
    node: z.string().min(1),
    qemu: z.string().min(1).nullable(),
    openssl: z.string().min(1).nullable(),
  }),
  cipher: z.strictObject({
    /** node:crypto, one core, 32 KiB updates (OpenSSH's packet size). */
    node: cipherRates,
    openssl: z.discriminatedUnion('status', [
      z.strictObject({ status: z.literal('measured'), blockBytes: z.number().int().positive(), rates: cipherRates }),
      unavailable,
    ]),
  }),
  memoryCopy: z.strictObject({
    /** Page by page (4 KiB copies) through a region larger than the caches. */
    page4KiB: statistic('B/s'),
    /** One copy of a whole large buffer. */
    large: statistic('B/s'),
    regionBytes: z.number().int().positive(),
  }),
  testbed,
});

export type HostProfile = z.infer<typeof hostProfileSchema>;
export type MeasuredTestbed = Extract<HostProfile['testbed'], { status: 'measured' }>;
export type LinkMeasurement = MeasuredTestbed['links'][number];

/** The measurement of the link shaped at `rateMbitPerS`, or a one-line error saying to calibrate again. */
export function linkAt(testbed: MeasuredTestbed, rateMbitPerS: number): LinkMeasurement {
  const found = testbed.links.find((link) => link.rateMbitPerS === rateMbitPerS);
  if (found === undefined) {
    throw new HostProfileError(
      `the host profile has no measurement of a ${rateMbitPerS} Mbit/s link (it has ${testbed.links.map((link) => link.rateMbitPerS).join(', ')}): run 'npm run calibrate' again`,
    );
  }
  return found;
}

/** A host profile that cannot be used: the CLI prints it on one line. */
export class HostProfileError extends Error {}

/** Validates parsed JSON; `label` (the file name) prefixes the one-line error. */
export function parseHostProfile(raw: unknown, label: string): HostProfile {
  const result = hostProfileSchema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length === 0 ? 'the profile' : issue.path.map(String).join('.');
  const version = typeof raw === 'object' && raw !== null ? (raw as { version?: unknown }).version : undefined;
  const hint = version !== HOST_PROFILE_VERSION ? ` (written by another version: run 'npm run calibrate')` : ` (run 'npm run calibrate' to measure it again)`;
  throw new HostProfileError(`${label}: ${where}: ${issue.message}${hint}`);
}

export function readHostProfile(path: string): HostProfile {
  if (!existsSync(path)) {
    throw new HostProfileError(`no host profile at ${path}: run 'npm run calibrate' first (as root, so that it can measure the qemu testbed)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new HostProfileError(`${path}: not valid JSON (${error instanceof Error ? error.message : String(error)}): run 'npm run calibrate' again`);
  }
  return parseHostProfile(raw, path);
}

/** The testbed part, or a one-line error saying why the simulator cannot use this profile. */
export function measuredTestbed(profile: HostProfile, label: string): MeasuredTestbed {
  if (profile.testbed.status === 'measured') return profile.testbed;
  throw new HostProfileError(
    `${label} has no testbed costs (${profile.testbed.reason}): run 'npm run calibrate' as root with the qemu packages (npm run setup:qemu)`,
  );
}

/** Validates before writing, so a file on disk always parses. */
export function writeHostProfile(path: string, profile: HostProfile): void {
  const checked = parseHostProfile(profile, path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(checked, null, 2)}\n`);
}
