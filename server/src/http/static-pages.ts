/** Serves the built pages (/kiosk, /counter, /display, /admin) and their assets from one directory. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiRegistry } from './api';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.webmanifest': 'application/manifest+json',
};

export const pages = ['kiosk', 'counter', 'display', 'admin'] as const;

/** Sends one built file from `root` (never outside it); 404 when it is not there. */
export async function sendBuiltFile(root: string, file: string, reply: FastifyReply, status = 200) {
  const resolved = path.resolve(root, file);
  if (!resolved.startsWith(root + path.sep)) return reply.code(404).send({ error: 'not-found' });
  try {
    const body = await fs.readFile(resolved);
    const immutable = resolved.includes(`${path.sep}assets${path.sep}`);
    return reply
      .code(status)
      .header('content-type', types[path.extname(resolved)] ?? 'application/octet-stream')
      .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
      .header('x-content-type-options', 'nosniff')
      .send(body);
  } catch {
    // A page answering an error (an expired code …) keeps its status without the built file.
    return reply
      .code(status >= 400 ? status : 404)
      .send({ error: 'not-found', message: 'page not built: run npm start' });
  }
}

export function registerStaticPages(api: ApiRegistry, distDir: string): void {
  const root = path.resolve(distDir);
  const send = (file: string, reply: FastifyReply) => sendBuiltFile(root, file, reply);
  const page = (
    url: string,
    summary: string,
    handler: (req: FastifyRequest, reply: FastifyReply) => Promise<unknown>,
  ) =>
    api.define({ method: 'GET', url, summary, tag: 'pages', access: 'public', raw: true }, async ({ req, reply }) => {
      await handler(req, reply);
    });
  page('/', 'Redirects to the kiosk page', async (_req, reply) => reply.redirect('/kiosk/'));
  for (const name of pages) {
    page(`/${name}`, `Redirects to /${name}/`, async (_req, reply) => reply.redirect(`/${name}/`));
    page(`/${name}/`, `The ${name} page`, async (_req, reply) => send(`${name}/index.html`, reply));
  }
  page('/favicon.svg', "The pages' icon", async (_req, reply) => send('favicon.svg', reply));
  const wildcard = (req: FastifyRequest) => (req.params as { '*': string })['*'];
  page('/assets/*', 'Built page assets (immutable)', async (req, reply) => send(`assets/${wildcard(req)}`, reply));
  page('/audio/*', 'Announcement audio', async (req, reply) => send(`audio/${wildcard(req)}`, reply));
}
