// The link probe's sink (harness/backends/qemu/link-probe.ts): listens on
// 127.0.0.1:PORT in the destination's namespace, where the SSH tunnel
// leads, takes one sender, and once it has closed prints when each piece
// arrived (ms since the first) and how many bytes had arrived by then.
// Usage: node sink.mjs PORT
import { createServer } from 'node:net';

const port = Number(process.argv[2]);
const server = createServer((socket) => {
  server.close(); // one sender; the port is free again for the destination QEMU once it has gone
  let start;
  let received = 0;
  const arrivals = [];
  socket.on('data', (chunk) => {
    const now = performance.now();
    start ??= now;
    received += chunk.length;
    arrivals.push([Math.round((now - start) * 1000) / 1000, received]);
  });
  socket.on('end', () => {
    socket.end();
    console.log(JSON.stringify({ arrivals }));
  });
});
server.listen(port, '127.0.0.1', () => console.log('listening'));
