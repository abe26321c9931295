// Preloaded with `node --import` (through NODE_OPTIONS) into the demo and into the CLI it starts: appends
// every outgoing socket connection and every DNS lookup of those processes to the file named by
// PULLCHECK_RECORD_CONNECTIONS, one JSON object a line, so the demo test can assert that nothing was aimed
// off the machine. The default exports of node:net and node:dns are the very objects CommonJS code (the
// bundled CLI, undici) gets from require(), so patching them here covers that code too.
import dns from 'node:dns';
import { appendFileSync } from 'node:fs';
import net from 'node:net';

const file = process.env.PULLCHECK_RECORD_CONNECTIONS;
if (file) {
  const note = (entry) => appendFileSync(file, `${JSON.stringify({ pid: process.pid, ...entry })}\n`);

  // Every TCP connection goes through Socket#connect (net.connect, http, undici, tls without a socket).
  const connect = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function recordedConnect(...args) {
    let first = args[0];
    if (Array.isArray(first)) first = first[0]; // net.connect passes its normalised arguments as an array
    if (first && typeof first === 'object') note({ kind: 'connect', host: first.host ?? 'localhost', port: first.port ?? null, path: first.path ?? null });
    else if (typeof first === 'number' || typeof first === 'string') note({ kind: 'connect', host: typeof args[1] === 'string' ? args[1] : 'localhost', port: first, path: null });
    return connect.apply(this, args);
  };

  const lookup = dns.lookup;
  dns.lookup = function recordedLookup(hostname, ...rest) {
    note({ kind: 'lookup', host: hostname });
    return lookup.call(this, hostname, ...rest);
  };
  const promisedLookup = dns.promises.lookup;
  dns.promises.lookup = function recordedPromisedLookup(hostname, ...rest) {
    note({ kind: 'lookup', host: hostname });
    return promisedLookup.call(this, hostname, ...rest);
  };
}
