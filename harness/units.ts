/**
 * Units every layer shares. Bottom layer: imports nothing from the harness.
 */

/** x86 base page: the unit of QEMU's and Xen's page counters and of the simulator's dirty log. */
export const PAGE_BYTES = 4096;
