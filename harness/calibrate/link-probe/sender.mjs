// Link probe sender (harness/calibrate/links.ts): sends TOTAL bytes to
// ADDRESS:PORT in WRITE_BYTES pieces and prints one JSON line: bytes sent,
// seconds from connect to close, and this namespace's /proc/net/dev text
// right after connecting and right after closing. The harness parses the
// counters (harness/linux/net-dev.ts); this program only reads them at the
// right instants.
// Usage: node sender.mjs ADDRESS PORT TOTAL WRITE_BYTES
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';

const [address, port, total, writeBytes] = process.argv.slice(2);
const totalBytes = Number(total);
const netDev = () => readFileSync('/proc/net/dev', 'utf8');

const socket = connect(Number(port), address, () => {
  const before = netDev();
  const start = process.hrtime.bigint();
  const chunk = Buffer.alloc(Number(writeBytes), 0x5a);
  let sent = 0;
  const pump = () => {
    while (sent < totalBytes) {
      const n = Math.min(chunk.length, totalBytes - sent);
      sent += n;
      if (!socket.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
        socket.once('drain', pump);
        return;
      }
    }
    socket.end();
  };
  socket.on('close', () => {
    const after = netDev();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    console.log(JSON.stringify({ sent, seconds, before, after }));
  });
  socket.resume();
  pump();
});
