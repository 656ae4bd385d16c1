// Link probe receiver (harness/calibrate/links.ts): listens on ADDRESS:PORT,
// counts what arrives, and closes once the sender has finished.
// Usage: node receiver.mjs ADDRESS PORT
import { createServer } from 'node:net';

const [address, port] = process.argv.slice(2);
const server = createServer((socket) => {
  let received = 0;
  socket.on('data', (chunk) => {
    received += chunk.length;
  });
  socket.on('end', () => {
    socket.end();
    console.log(JSON.stringify({ received }));
    server.close();
  });
});
server.listen(Number(port), address, () => console.log('listening'));
