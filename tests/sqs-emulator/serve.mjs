// Starts the fauxqs SQS emulator on 127.0.0.1 only (its own command line binds 0.0.0.0).
// Usage: node serve.mjs PORT. Prints "listening on http://127.0.0.1:PORT" once it accepts connections, and exits
// when its standard input closes (the test process that started it has gone) or on SIGTERM/SIGINT.
import { buildApp } from "fauxqs";

const port = Number.parseInt(process.argv[2] ?? "", 10);
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error("usage: node serve.mjs PORT");
  process.exit(2);
}

const app = buildApp({ logger: false });
const address = await app.listen({ port, host: "127.0.0.1" });
console.log(`listening on ${address}`);

let stopping = false;
async function stop() {
  if (stopping) {
    return;
  }
  stopping = true;
  await app.close();
  process.exit(0);
}

process.on("SIGTERM", stop);
process.on("SIGINT", stop);
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
