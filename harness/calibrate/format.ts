/** A host profile as a few readable lines for the terminal (pure). */
import { CIPHERS, type HostProfile } from './profile.ts';
import type { Statistic } from './stats.ts';

function scaled(statistic: Statistic, divisor: number, unit: string, digits: number): string {
  return `${(statistic.mean / divisor).toFixed(digits)} ${unit} ± ${statistic.rme.toFixed(1)} % (n=${statistic.samples})`;
}

const gbps = (statistic: Statistic) => scaled(statistic, 1e9, 'GB/s', 2);
const seconds = (statistic: Statistic) =>
  statistic.mean < 1 ? scaled(statistic, 1e-3, 'ms', 1) : scaled(statistic, 1, 's', 2);
const megabytes = (statistic: Statistic) => scaled(statistic, 1e6, 'MB', 2);

export function profileSummary(profile: HostProfile): string {
  const { machine, cipher, memoryCopy, testbed } = profile;
  const openssl = cipher.openssl;
  const lines = [
    `machine          ${machine.cpuModel}, ${machine.cores} cores, ${(machine.memoryBytes / 1024 ** 3).toFixed(1)} GiB, Linux ${machine.kernel}, Node ${machine.node}, QEMU ${machine.qemu ?? 'not installed'}`,
    ...CIPHERS.map((name) => `node:crypto      ${name.padEnd(18)} ${gbps(cipher.node[name])}`),
    ...(openssl.status === 'measured'
      ? CIPHERS.map((name) => `openssl speed    ${name.padEnd(18)} ${gbps(openssl.rates[name])}`)
      : [`openssl speed    ${openssl.reason}`]),
    `memory copy      4 KiB pages        ${gbps(memoryCopy.page4KiB)}`,
    `memory copy      ${(memoryCopy.regionBytes / 1024 ** 2).toFixed(0)} MiB buffer      ${gbps(memoryCopy.large)}`,
  ];
  if (testbed.status === 'measured') {
    const { zeroCopy, precopyUnshaped: precopy } = testbed;
    lines.push(
      `testbed          ${testbed.accel.toUpperCase()}, policy ${testbed.policy}, guest kernel ${testbed.guestKernel ?? 'not recorded'}`,
      `QEMU start       to QMP ready       ${seconds(testbed.qmpReadyS)}; to the guest's ready line ${seconds(testbed.bootS)}`,
      `zero-copy        ${zeroCopy.memoryMb} MB idle        resumed after ${seconds(zeroCopy.migrationS)}, downtime ${seconds(zeroCopy.downtimeS)}, ${megabytes(zeroCopy.networkBytes)} on the link`,
      `pre-copy (ssh)   ${precopy.memoryMb} MB, unshaped    resumed after ${seconds(precopy.migrationS)}, downtime ${seconds(precopy.downtimeS)}, stream ${megabytes(precopy.streamBytes)}, ${precopy.normalPages.mean.toFixed(0)} data + ${precopy.zeroPages.mean.toFixed(0)} zero pages, CPU ${seconds(precopy.cpuS)}`,
      `running guest    ${zeroCopy.memoryMb} MB idle        ${scaled(testbed.runningGuestCpuPerS, 1, 'CPU-s per s', 4)}`,
      ...testbed.links.map(
        (link) =>
          `link             ${`${link.rateMbitPerS} Mbit/s tbf`.padEnd(18)} TCP payload ${scaled(link.payloadBytesPerS, 1e6 / 8, 'Mbit/s', 1)}; counted ${link.txPerPayloadByte.mean.toFixed(4)} out + ${link.rxPerPayloadByte.mean.toFixed(4)} in per payload byte`,
      ),
    );
  } else {
    lines.push(`testbed          ${testbed.reason}`);
  }
  return lines.join('\n');
}
