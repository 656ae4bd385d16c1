/**
 * The paper's calibration statements (brief §5, Figs. 2 and 3), as data:
 * the value the paper reports, where it says so, and how far a
 * reproduction may stray before it is called off. Figs. 4-7 are validation
 * figures: the brief withholds their numbers on purpose, so none are here.
 */
export interface PaperStatement {
  readonly id: string;
  readonly figure: '2a' | '2b' | '3';
  /** Where in the brief the value comes from. */
  readonly source: string;
  /** The statement, in the brief's words. */
  readonly quote: string;
  readonly unit: string;
  /**
   * Either a value, passed within `tolerancePct` relative error, or a range
   * the reproduced value must lie in (for "32 % to 76 %" and "almost zero").
   */
  readonly expect: { readonly value: number; readonly tolerancePct: number } | { readonly range: readonly [number, number] };
}

const FIG2A = 'brief §5, Fig. 2(a)';
const FIG2B = 'brief §5, Fig. 2(b)';
const FIG3 = 'brief §5, Fig. 3';

export const PAPER_STATEMENTS: readonly PaperStatement[] = [
  { id: 'vmbeam-time-4096', figure: '2a', source: FIG2A, quote: 'VMBeam migrated a 4 GB guest in 16.3 s', unit: 's', expect: { value: 16.3, tolerancePct: 10 } },
  { id: 'blanket-over-vmbeam-128', figure: '2a', source: FIG2A, quote: 'Xen-Blanket was 1.2 [...] times slower than VMBeam (smallest guest)', unit: 'x', expect: { value: 1.2, tolerancePct: 15 } },
  { id: 'blanket-over-vmbeam-4096', figure: '2a', source: FIG2A, quote: 'Xen-Blanket was [...] 7.5 times slower than VMBeam (largest guest)', unit: 'x', expect: { value: 7.5, tolerancePct: 15 } },
  { id: 'nest-over-blanket-128', figure: '2a', source: FIG2A, quote: 'Xen-Blanket was 2.1 [...] times faster than Xen-Nest (smallest guest)', unit: 'x', expect: { value: 2.1, tolerancePct: 15 } },
  { id: 'nest-over-blanket-4096', figure: '2a', source: FIG2A, quote: 'Xen-Blanket was [...] 2.9 times faster than Xen-Nest (largest guest)', unit: 'x', expect: { value: 2.9, tolerancePct: 15 } },
  { id: 'nest-time-4096', figure: '2a', source: FIG2A, quote: 'Xen-Nest with a 4 GB guest took nearly 6 minutes', unit: 's', expect: { value: 360, tolerancePct: 10 } },
  { id: 'nest-over-physical-4096', figure: '2a', source: FIG2A, quote: 'Xen-Nest [...] 3.7 times longer than migration between physical hosts', unit: 'x', expect: { value: 3.7, tolerancePct: 15 } },
  { id: 'blanket-nocipher-over-vmbeam-max', figure: '2a', source: FIG2A, quote: 'with the none cipher VMBeam was still up to 3.5 times faster than Xen-Blanket', unit: 'x', expect: { value: 3.5, tolerancePct: 15 } },
  { id: 'vmbeam-downtime', figure: '2b', source: FIG2B, quote: 'VMBeam: 0.6 s, the shortest (mean over sizes)', unit: 's', expect: { value: 0.6, tolerancePct: 10 } },
  { id: 'nest-downtime-excess', figure: '2b', source: FIG2B, quote: 'Xen-Nest: 27 % longer than VMBeam on average', unit: '%', expect: { value: 27, tolerancePct: 15 } },
  { id: 'blanket-downtime-excess', figure: '2b', source: FIG2B, quote: 'Xen-Blanket: 32 % to 76 % longer than Xen-Nest (every size)', unit: '%', expect: { range: [32, 76] } },
  { id: 'nest-nocipher-downtime-shrink', figure: '2b', source: FIG2B, quote: "with the none cipher Xen-Nest's downtime shrank by up to 0.14 s", unit: 's', expect: { value: 0.14, tolerancePct: 15 } },
  { id: 'blanket-nocipher-downtime-growth', figure: '2b', source: FIG2B, quote: "with the none cipher Xen-Blanket's grew by up to 0.2 s", unit: 's', expect: { value: 0.2, tolerancePct: 15 } },
  { id: 'vmbeam-network', figure: '3', source: FIG3, quote: 'VMBeam: almost zero (bytes, as a share of the 4 GiB guest)', unit: '%', expect: { range: [0, 1] } },
  { id: 'blanket-network', figure: '3', source: FIG3, quote: 'Xen-Blanket: about 4 GB', unit: 'GiB', expect: { value: 4, tolerancePct: 10 } },
  { id: 'blanket-bandwidth', figure: '3', source: FIG3, quote: 'Xen-Blanket: at a nearly constant 300 Mbps', unit: 'Mbit/s', expect: { value: 300, tolerancePct: 10 } },
  { id: 'blanket-duration', figure: '3', source: FIG3, quote: 'Xen-Blanket: for 105 s', unit: 's', expect: { value: 105, tolerancePct: 10 } },
  { id: 'nest-network', figure: '3', source: FIG3, quote: 'Xen-Nest: about 4 GB', unit: 'GiB', expect: { value: 4, tolerancePct: 10 } },
  { id: 'nest-bandwidth', figure: '3', source: FIG3, quote: 'Xen-Nest: at a nearly constant 100 Mbps', unit: 'Mbit/s', expect: { value: 100, tolerancePct: 10 } },
  { id: 'nest-duration', figure: '3', source: FIG3, quote: 'Xen-Nest: for 360 s', unit: 's', expect: { value: 360, tolerancePct: 10 } },
];
