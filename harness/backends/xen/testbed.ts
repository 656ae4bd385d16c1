/**
 * The testbed file: which hosts play which part, and which systems of the
 * paper this testbed can run. Validated with a schema so that a typo is a
 * one-line error naming the field, before any host is contacted.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { z } from 'zod';
import { isSystemName, SYSTEMS, type SystemName } from '../../systems.ts';

// Hosts, domain names and ciphers end up on command lines that `xl` itself
// runs through `sh -c` (its migration "rune": `exec <ssh command> <host> xl
// migrate-receive`), so only plain tokens are accepted: no spaces, no quotes,
// no shell metacharacters, and nothing ssh could read as an option.
const TOKEN = /^[A-Za-z0-9_][A-Za-z0-9_.:@%+\-\[\]]*$/;
const CIPHER = /^[A-Za-z0-9][A-Za-z0-9_.@\-]*$/;

const host = z.string().regex(TOKEN, 'expected a host name such as user@dom0 (no spaces, quotes or leading -)');
const hostEntry = z.strictObject({ host });

// xl's `-s <command>` is run by `sh -c` as `exec <command> <host> xl migrate-receive`: words only.
const COMMAND = /^[A-Za-z0-9_\/][A-Za-z0-9_.@=+\/\- ]*$/;

const systemEntry = z
  .strictObject({
    /** Passed to xl as `-s "ssh -c <cipher>"`; absent means xl's default `ssh`. */
    sshCipher: z.string().regex(CIPHER, 'expected an ssh cipher name such as aes128-ctr or none').optional(),
    /** Passed to xl as `-s <command>` instead (e.g. a plain-TCP stand-in for ssh). */
    sshCommand: z.string().regex(COMMAND, 'expected a command of plain words (no quotes or shell metacharacters)').optional(),
    /** The destination guest Dom0 as the source reaches it for this system (e.g. over another NIC); default destination.host. */
    destination: host.optional(),
    /** The source guest Dom0's interface this system's stream crosses; default the top-level interface. */
    interface: z.string().regex(/^[A-Za-z0-9_.\-]+$/, 'expected an interface name such as eth0').optional(),
  })
  .refine((entry) => entry.sshCipher === undefined || entry.sshCommand === undefined, 'give sshCipher or sshCommand, not both');

const schema = z.strictObject({
  source: hostEntry,
  destination: hostEntry,
  cloudDom0: z
    .strictObject({
      host,
      /** xentop names (first 10 characters) to add up; absent means every domain on the cloud host. */
      domains: z.array(z.string().min(1, 'must not be empty')).min(1, 'must list at least one domain').optional(),
    })
    .optional(),
  guest: z.strictObject({
    name: z.string().regex(TOKEN, 'expected a domain name (no spaces, quotes or leading -)'),
    config: z.string().min(1, 'must not be empty'),
    address: host.optional(),
    /**
     * A guest without a network: the backend passes the memory fill and
     * Fig. 6's dirtying rate on its kernel command line (`xl create …
     * extra="<extra> vmbeam.fill_mb=… vmbeam.dirty_mb=… vmbeam.dirty_pages_per_s=…"`)
     * and waits for its `vmbeam-ready` line in `consoleLog` on the source.
     */
    kernelWorkload: z
      .strictObject({ extra: z.string().regex(/^[^"'\\]*$/, 'expected kernel parameters without quotes'), consoleLog: z.string().min(1, 'must not be empty') })
      .optional(),
  }),
  /** xl's verbosity for `xl migrate`: -v shows 4.2's per-pass statistics; -vvv current libxl's suspend. */
  xlVerbosity: z.enum(['-v', '-vv', '-vvv']).default('-v'),
  ssh: z.strictObject({ options: z.array(z.string()).optional() }).optional(),
  interface: z.string().regex(/^[A-Za-z0-9_.\-]+$/, 'expected an interface name such as eth0').default('eth0'),
  systems: z.record(z.string(), systemEntry),
});

export interface HostEntry {
  readonly host: string;
}

export interface Testbed {
  /** The guest Dom0 in the source cloud VM: runs `xl migrate`. */
  readonly source: HostEntry;
  /** The guest Dom0 in the destination cloud VM, as `xl migrate` on the source reaches it. */
  readonly destination: HostEntry;
  readonly cloudDom0: { readonly host: string; readonly domains: readonly string[] | undefined } | undefined;
  readonly guest: {
    readonly name: string;
    readonly config: string;
    readonly address: string | undefined;
    readonly kernelWorkload: { readonly extra: string; readonly consoleLog: string } | undefined;
  };
  readonly xlVerbosity: '-v' | '-vv' | '-vvv';
  readonly sshOptions: readonly string[];
  /** The source guest Dom0's interface that carries the migration stream. */
  readonly interface: string;
  readonly systems: ReadonlyMap<SystemName, SystemSetup>;
}

/** How one system of the paper runs on this testbed. */
export interface SystemSetup {
  readonly sshCipher: string | undefined;
  readonly sshCommand: string | undefined;
  readonly destination: string | undefined;
  readonly interface: string | undefined;
}

/** Parses testbed JSON text; `label` prefixes every error (normally the file name). */
export function parseTestbed(text: string, label: string): Testbed {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new Error(`${label}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new Error(`${label}: ${describeIssue(issue, raw)}`);
  }
  const data = result.data;
  const systems = new Map<SystemName, SystemSetup>();
  for (const [name, entry] of Object.entries(data.systems)) {
    if (!isSystemName(name)) {
      throw new Error(`${label}: systems.${name}: unknown system (valid: ${SYSTEMS.join(', ')})`);
    }
    systems.set(name, { sshCipher: entry.sshCipher, sshCommand: entry.sshCommand, destination: entry.destination, interface: entry.interface });
  }
  if (systems.size === 0) {
    throw new Error(`${label}: systems: must name at least one system this testbed runs (valid: ${SYSTEMS.join(', ')})`);
  }
  return {
    source: { host: data.source.host },
    destination: { host: data.destination.host },
    cloudDom0: data.cloudDom0 === undefined ? undefined : { host: data.cloudDom0.host, domains: data.cloudDom0.domains },
    guest: { name: data.guest.name, config: data.guest.config, address: data.guest.address, kernelWorkload: data.guest.kernelWorkload },
    xlVerbosity: data.xlVerbosity,
    sshOptions: data.ssh?.options ?? [],
    interface: data.interface,
    systems,
  };
}

/** Reads and validates a testbed file; every problem is one line naming the file and field. */
export function loadTestbed(path: string): Testbed {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`${path}: cannot read the testbed file (${code ?? String(error)})`);
  }
  return parseTestbed(text, basename(path));
}

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue, raw: unknown): string {
  const path = issue.path.map(String).join('.');
  const where = path === '' ? '(top level)' : path;
  switch (issue.code) {
    case 'invalid_type': {
      const wanted = `expected ${article(issue.expected)}`;
      return valueAt(raw, issue.path) === undefined ? `${where}: missing (${wanted})` : `${where}: ${wanted}`;
    }
    case 'unrecognized_keys':
      return issue.keys.map((key) => `${path === '' ? key : `${path}.${key}`}: unknown field`).join('; ');
    default:
      return `${where}: ${issue.message}`;
  }
}

function article(expected: string): string {
  const noun = expected === 'record' ? 'object' : expected;
  return /^[aeiou]/.test(noun) ? `an ${noun}` : `a ${noun}`;
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
