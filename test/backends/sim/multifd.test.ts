import { describe, expect, it } from 'vitest';
import { streamBytesPerS } from '../../../harness/backends/sim/derived.ts';
import { multifdPath } from '../../../harness/backends/sim/multifd.ts';
import { PAPER_PARAMETERS, QEMU_SCHEMES } from '../../../harness/backends/sim/parameters.ts';
import type { SimParameters } from '../../../harness/backends/sim/parameter-types.ts';

const NEST = PAPER_PARAMETERS.precopyPaths['xen-nest'].stages;
const pipelined = (cipherMbps: number, nicMbps: number, cipherProcesses = 1): SimParameters => ({
  ...PAPER_PARAMETERS,
  pathComposition: 'pipelined',
  stageThroughputMbps: { ...PAPER_PARAMETERS.stageThroughputMbps, sshCipher: cipherMbps, emulatedNic: nicMbps },
  qemuSchemes: { ...QEMU_SCHEMES, multifd: { ...QEMU_SCHEMES.multifd, cipherProcesses } },
});

describe("multifd's channels on a path", () => {
  it("share the paper's single guest Dom0 vCPU: the path's rate", () => {
    expect(multifdPath(NEST, 0, PAPER_PARAMETERS).streamBytesPerS).toBe(streamBytesPerS(NEST, PAPER_PARAMETERS));
  });

  it('share a link that is the bottleneck: its rate, however many ciphers', () => {
    const parameters = pipelined(4000, 100, 2);
    expect(multifdPath(NEST, 0, parameters).streamBytesPerS).toBe((100 * 1e6) / 8);
  });

  it('gain only where the cipher is the bottleneck and each channel has its own cipher process', () => {
    expect(multifdPath(NEST, 0, pipelined(300, 1000, 1)).streamBytesPerS).toBe((300 * 1e6) / 8);
    expect(multifdPath(NEST, 0, pipelined(300, 1000, 2)).streamBytesPerS).toBe((600 * 1e6) / 8);
    // Two channels cannot use more than two cipher processes.
    expect(multifdPath(NEST, 0, pipelined(300, 1000, 8)).streamBytesPerS).toBe((600 * 1e6) / 8);
  });

  it("frame a page with its offset and a share of the packet's 320-byte header, and queue a window per channel", () => {
    const path = multifdPath(NEST, 1000, PAPER_PARAMETERS);
    expect(path.pageBytesOnWire).toBe(4096 + 8 + 320 / 128);
    expect(path.inFlightBytesAtStop).toBe(1000 + QEMU_SCHEMES.multifd.channelQueueBytes);
  });
});
