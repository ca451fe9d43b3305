// The benches' prepared requests: OTLP bodies in one file, each prefixed by its length (uint32 LE).

import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export function writeRequestFile(file: string, bodies: Iterable<Uint8Array>): { requests: number; bytes: number } {
  const fd = openSync(file, 'w');
  const header = Buffer.alloc(4);
  let requests = 0;
  let bytes = 0;
  for (const body of bodies) {
    header.writeUInt32LE(body.length);
    writeSync(fd, header);
    writeSync(fd, body);
    requests++;
    bytes += body.length;
  }
  closeSync(fd);
  return { requests, bytes };
}

export function readRequestFile(file: string): Buffer[] {
  const data = readFileSync(file);
  const requests: Buffer[] = [];
  for (let offset = 0; offset < data.length; ) {
    const length = data.readUInt32LE(offset);
    requests.push(data.subarray(offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return requests;
}
