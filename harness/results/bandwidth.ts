/**
 * The mean bandwidth of a transfer as Fig. 3 reports it. One definition, so
 * the fit scores the simulator on exactly the numbers a run writes.
 */
export function meanBandwidthMbps(bytes: number | undefined, seconds: number | undefined): number | undefined {
  return bytes !== undefined && seconds !== undefined && seconds > 0 ? (bytes * 8) / seconds / 1e6 : undefined;
}
