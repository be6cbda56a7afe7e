/** Serves the built pages (/kiosk, /counter, /display, /admin) and their assets from one directory. */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';

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

export function registerStaticPages(app: FastifyInstance, distDir: string): void {
  const root = path.resolve(distDir);
  const send = async (file: string, reply: FastifyReply) => {
    const resolved = path.resolve(root, file);
    if (!resolved.startsWith(root + path.sep)) return reply.code(404).send({ error: 'not-found' });
    try {
      const body = await fs.readFile(resolved);
      const immutable = resolved.includes(`${path.sep}assets${path.sep}`);
      return reply
        .header('content-type', types[path.extname(resolved)] ?? 'application/octet-stream')
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(body);
    } catch {
      return reply.code(404).send({ error: 'not-found', message: 'page not built: run npm start' });
    }
  };
  app.get('/', async (_req, reply) => reply.redirect('/kiosk/'));
  for (const page of pages) {
    app.get(`/${page}`, async (_req, reply) => reply.redirect(`/${page}/`));
    app.get(`/${page}/`, async (_req, reply) => send(`${page}/index.html`, reply));
  }
  app.get('/assets/*', async (req, reply) => send(`assets/${(req.params as { '*': string })['*']}`, reply));
  app.get('/audio/*', async (req, reply) => send(`audio/${(req.params as { '*': string })['*']}`, reply));
}
