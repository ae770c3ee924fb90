import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { badRequest, tooLarge } from '../errors.js';

/**
 * Extract the `file` part of a multipart/form-data upload (what s5.js sends), at most `limit` bytes.
 * busboy does the parsing; we only buffer the one part we need.
 */
export function readMultipartFile(req: IncomingMessage, limit: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: limit, fields: 16, parts: 32 } });
    } catch (cause) {
      req.resume();
      reject(badRequest('malformed multipart/form-data request (missing boundary?)', cause));
      return;
    }
    let file: Uint8Array | undefined;
    let failure: Error | undefined;
    parser.on('file', (name, stream) => {
      const chunks: Buffer[] = [];
      // busboy reports a truncated body on the part stream too; without a listener that would be an
      // uncaught exception. The parser's own 'error' below decides the reply.
      stream.on('error', (cause: Error) => {
        failure ??= badRequest('malformed multipart/form-data body', cause);
      });
      stream.on('data', (c: Buffer) => {
        if (name === 'file') chunks.push(c);
      });
      stream.on('limit', () => {
        failure ??= tooLarge(`file exceeds the limit of ${limit} bytes`);
      });
      stream.on('end', () => {
        if (name === 'file' && !failure && !file) file = new Uint8Array(Buffer.concat(chunks));
      });
    });
    parser.on('filesLimit', () => {
      failure ??= badRequest('multipart body carries more than one file; send exactly one part named "file"');
    });
    parser.on('error', (cause) => {
      req.unpipe(parser);
      req.resume();
      reject(badRequest('malformed multipart/form-data body', cause));
    });
    parser.on('close', () => {
      if (failure) reject(failure);
      else if (!file) reject(badRequest('multipart body has no file part named "file"'));
      else resolve(file);
    });
    // `pipe` does not forward source errors: without this, a client that disconnects mid-body left
    // the promise pending forever, holding every chunk buffered so far (up to `limit` per request).
    req.on('error', (cause) => {
      req.unpipe(parser);
      parser.destroy();
      reject(badRequest('request body could not be read (client disconnected?)', cause));
    });
    req.pipe(parser);
  });
}
