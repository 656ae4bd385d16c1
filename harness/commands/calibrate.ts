/** `npm run calibrate`: measure this host (ciphers, memory copies, the qemu testbed's fixed costs) into a host profile. */
import { resolve } from 'node:path';
import { accelFallbackWarning, installQemuCleanup, type AccelPreference } from './backends.ts';
import { EnvironmentError, messageOf, type CommandContext } from './context.ts';

export interface CalibrateOptions {
  readonly out: string;
  readonly samples: number;
  readonly accel: AccelPreference;
  readonly timeout: number;
  /** False with --no-testbed: measure only the CPU and memory. */
  readonly testbed: boolean;
}

export async function calibrate(options: CalibrateOptions, context: CommandContext): Promise<number> {
  const started = performance.now();
  const out = resolve(options.out);
  const { samples } = options;
  const { calibrateHost } = await import('../calibrate/index.ts');
  const { calibrateTestbed } = await import('../calibrate/testbed.ts');
  const { profileSummary } = await import('../calibrate/format.ts');
  const { writeHostProfile } = await import('../calibrate/profile.ts');
  const qemu = await import('../backends/qemu/index.ts');
  let testbed: Parameters<typeof calibrateHost>[0]['testbed'];
  if (!options.testbed) {
    testbed = { skip: 'not measured (--no-testbed)' };
  } else {
    const problem = qemu.checkPrerequisites();
    if (problem !== null) throw new EnvironmentError(`${problem} (or pass --no-testbed to measure only the CPU and memory)`);
    installQemuCleanup(qemu, context);
    const imageDir = qemu.DEFAULT_IMAGE_DIR;
    try {
      qemu.buildImage(imageDir);
    } catch (error) {
      throw new EnvironmentError(messageOf(error));
    }
    if (options.accel === 'auto') console.log('choosing the accelerator: a KVM probe boot of up to 30 s');
    const { accel, reason } = await qemu.detectAccel(options.accel, imageDir);
    console.log(`accelerator: ${accel} (${reason})`);
    const warning = accelFallbackWarning(options.accel, accel, reason);
    if (warning !== undefined) console.error(warning);
    testbed = {
      run: () =>
        calibrateTestbed({
          accel,
          policy: 'xen',
          samples,
          imageDir,
          timeoutMs: options.timeout * 1000,
          onMigration: (label, sample, measured) =>
            console.log(`  ${label} ${sample}/${samples}: resumed after ${measured.resumedAfterS.toFixed(3)} s`),
          onLinkProbe: (transfer, sample) =>
            console.log(
              `  TCP over a ${transfer.rateMbitPerS} Mbit/s link ${sample}/${samples}: ${((transfer.payloadBytes * 8) / transfer.seconds / 1e6).toFixed(1)} Mbit/s of payload`,
            ),
        }),
    };
  }
  const profile = await calibrateHost({
    microTimeMs: 1000,
    opensslRuns: 3,
    opensslSeconds: 1,
    testbed,
    qemuVersion: qemu.qemuVersion(),
    onStep: (message) => console.log(message),
  });
  writeHostProfile(out, profile);
  console.log(profileSummary(profile));
  console.log(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return 0;
}
