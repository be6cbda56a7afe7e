import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument, openApiPath } from './openapi';

describe('openApiDocument', () => {
  it('turns Fastify paths into OpenAPI paths', () => {
    expect(openApiPath('/api/queue/tickets/:ticketId/recall')).toBe('/api/queue/tickets/{ticketId}/recall');
    expect(openApiPath('/assets/*')).toBe('/assets/{path}');
  });

  it('describes parameters, query, body, access and the Result envelope', () => {
    const doc = openApiDocument(
      [
        {
          method: 'POST',
          url: '/api/things/:id',
          summary: 'a thing',
          tag: 't',
          access: ['admin'],
          params: z.object({ id: z.string() }),
          query: z.object({ verbose: z.string().optional() }),
          body: z.object({ n: z.number().int() }),
        },
      ],
      { title: 'x', version: '1' },
    ) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    const op = doc.paths['/api/things/{id}']?.['post'];
    expect(op?.['parameters']).toEqual([
      { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
      { name: 'verbose', in: 'query', required: false, schema: { type: 'string' } },
    ]);
    expect(op?.['x-access']).toEqual({ roles: ['admin'] });
    expect(Object.keys(op?.['responses'] as object)).toEqual(['200', '400', '401', '403']);
    expect(JSON.stringify(op?.['requestBody'])).toContain('"n"');
  });
});
