/**
 * The set-up of one figure migration, up to an armed pair: the link, the
 * source restored from its saved guest with its workload started, the
 * transport, and the destination, started with -incoming defer and armed
 * with the system's scheme. For `auto` the destination is started only once
 * auto.ts has chosen, because what it needs (the shared memory mapped or
 * not, the transport) depends on the choice.
 */
import { carrierOf } from '../../systems.ts';
import { decideScheme } from './auto.ts';
import { ControlPort } from './control-port.ts';
import { restoreGuest, type GuestState } from './guest-state.ts';
import type { GuestImage } from './image.ts';
import { LINK_PROFILES, UNSHAPED_LINK_BYTES_PER_S, linkRateBytesPerS } from './link-profiles.ts';
import { createLink, linkNames, type Link } from './links.ts';
import type { SchemeSystem } from './schemes.ts';
import { armPair, checkNotAborted, launchSide, openTransport, profileOf, type PairSetup } from './setup.ts';
import type { Testbed } from './testbed.ts';
import type { Transport } from './transport.ts';
import type { AutoDecision, QemuMigrationRequest } from './types.ts';
import { startWorkload, type Vm } from './vm.ts';

export interface ArmedPair {
  /** For `auto`, the setup of the scheme it chose. */
  readonly setup: PairSetup;
  /** The system whose scheme runs: the request's, or auto's choice. */
  readonly scheme: SchemeSystem;
  readonly link: Link;
  readonly source: Vm;
  readonly destination: Vm;
  readonly transport: Transport;
  /** Every process of the transport (both, when `auto` opened a second one for its choice). */
  readonly transportPids: readonly number[];
  readonly sshdPids: readonly number[];
  /** The workload's control ports: the source's, and the destination's once the guest runs there. */
  readonly ports: readonly ControlPort[];
  readonly dirtyingLine: string;
  readonly restoreTimeS: number;
  readonly qmpReadyS: number;
  readonly decision: AutoDecision | undefined;
  /** Epoch ms when the pair was armed: set-up's bustle (keys, sshd, auto's probes) is over. */
  readonly armedMs: number;
}

/**
 * Builds the pair on `testbed`. Every process, namespace and file it
 * creates belongs to the testbed; the control ports it opens are in
 * `ports` as soon as they exist, so the caller can close them whatever happens.
 */
export async function armFigurePair(
  testbed: Testbed,
  image: GuestImage,
  state: GuestState,
  request: QemuMigrationRequest,
  ports: ControlPort[],
): Promise<ArmedPair> {
  const { signal } = request;
  const profile = profileOf(request);
  const names = linkNames(process.pid, testbed.run);
  testbed.linkNames = names;
  const unshaped = request.unshapedLink === true;
  const link = createLink(profile, names, { shaped: !unshaped });
  // The source's RAM is a copy of the saved guest's; a zero-copy destination maps that same file.
  const sharedMemoryPath = testbed.copySharedMemory(state.ramTemplatePath);
  let setup: PairSetup = {
    request,
    profile,
    testbed,
    image,
    link,
    sharedMemoryPath,
    linkBytesPerS: unshaped ? UNSHAPED_LINK_BYTES_PER_S : linkRateBytesPerS(profile),
    hideSharedMemory: request.hideSharedMemory === true,
  };
  const auto = request.system === 'auto';

  // Restore the source and start its workload; meanwhile set up the tunnel
  // (key generation, sshd, ssh) and start the destination. (A zero-copy
  // destination maps the shared file now but touches no guest RAM before
  // `migrate-incoming`.)
  const launchStart = performance.now();
  const source = await launchSide(setup, 'source');
  const qmpReadyS = (performance.now() - launchStart) / 1000;
  let restoreTimeS = Number.NaN;
  const [dirtyingLine, firstTransport, launched] = await Promise.all([
    (async () => {
      restoreTimeS = await restoreGuest(source, state);
      const port = await ControlPort.open(source.config.controlSocket, 'source');
      ports.push(port);
      const workload = { dirtyRegionMb: request.dirtyRegionMb, dirtyPagesPerS: request.dirtyPagesPerS };
      return startWorkload(source, port, workload, 10_000, signal);
    })(),
    openTransport(setup),
    auto ? Promise.resolve(undefined) : launchSide(setup, 'destination'),
  ]);
  checkNotAborted(request);
  let transport = firstTransport;
  const transports = [firstTransport];
  let destination = launched;
  let decision: AutoDecision | undefined;
  if (destination === undefined) {
    decision = await decideScheme({
      testbed,
      source: { port: sourcePort(ports), dirtyingLine, context: { netns: names.sourceNs, hideSharedMemory: false } },
      destination: { netns: names.destinationNs, hideSharedMemory: setup.hideSharedMemory === true },
      memoryPath: sharedMemoryPath,
      transport,
      signal,
    });
    checkNotAborted(request);
    const chosen = LINK_PROFILES[carrierOf(decision.system)];
    if (chosen.rateMbitPerS !== profile.rateMbitPerS) {
      throw new Error(`auto chose ${decision.system}, whose link (${chosen.rateMbitPerS} Mbit/s) is not the one it measured (${profile.rateMbitPerS} Mbit/s)`);
    }
    setup = { ...setup, request: { ...request, system: decision.system }, profile: chosen };
    if (chosen.transport !== profile.transport) {
      transport = await openTransport(setup);
      transports.push(transport);
    }
    destination = await launchSide(setup, 'destination');
  }
  const scheme = setup.request.system;
  if (scheme === 'auto') throw new Error('internal error: auto armed without a choice');
  // The guest's reports come from the destination once it runs there; QEMU's socket takes the connection now.
  ports.push(await ControlPort.open(destination.config.controlSocket, 'destination'));
  await armPair(setup, source, destination, transport);
  return {
    setup,
    scheme,
    link,
    source,
    destination,
    transport,
    transportPids: transports.flatMap((used) => used.processes.map((proc) => proc.pid)),
    sshdPids: transports.flatMap((used) => (used.sshdPid === undefined ? [] : [used.sshdPid])),
    ports,
    dirtyingLine,
    restoreTimeS,
    qmpReadyS,
    decision,
    armedMs: Date.now(),
  };
}

/** The source's control port: the first one opened (its guest's workload is started through it). */
function sourcePort(ports: readonly ControlPort[]): ControlPort {
  const port = ports[0];
  if (port === undefined) throw new Error('internal error: the source has no control port');
  return port;
}
