/**
 * The Xen policy (policy.ts) applied to a running pre-copy migration: after
 * each pass, decide whether to force the final stop-and-copy, and force it
 * by raising downtime-limit. Used by every pre-copy migration of the
 * testbed (engine.ts, and web/service.ts for Fig. 7).
 */
import { QEMU_MAX_DOWNTIME_LIMIT_MS, xenPolicyDecision, type PolicyDecision } from './policy.ts';
import type { QmpClient } from './qmp.ts';

interface RamInfo {
  ram?: { transferred?: number };
}

/** Subscribes to MIGRATION_PASS on the source; returns the unsubscribe function. */
export function watchXenPolicy(
  source: QmpClient,
  guestBytes: number,
  onForce?: (decision: PolicyDecision, pass: number) => void,
): () => void {
  let forced = false;
  return source.onEvent((event) => {
    if (event.event !== 'MIGRATION_PASS' || forced) return;
    const pass = Number(event.data['pass']);
    void (async () => {
      const info = await source.execute<RamInfo>('query-migrate');
      const decision = xenPolicyDecision({ passesCompleted: pass - 1, bytesTransferred: info.ram?.transferred ?? 0, guestBytes });
      if (decision.action === 'force-final' && !forced) {
        forced = true;
        onForce?.(decision, pass);
        await source.execute('migrate-set-parameters', { 'downtime-limit': QEMU_MAX_DOWNTIME_LIMIT_MS });
      }
    })().catch(() => undefined); // QMP gone: the completion wait reports the real error
  });
}
