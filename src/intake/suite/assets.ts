/**
 * The suite's static files, served by the app itself (no CDN, no network at run time): htmx and
 * its SSE extension, uPlot and the script that draws the overview charts, and the style sheet. Read once at start;
 * their URLs carry a content hash so browsers may cache them for good.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import { SUITE_CSS } from './styles.js';
import { OVERVIEW_JS } from './overview-script.js';

const require = createRequire(import.meta.url);

interface Asset {
  body: Buffer;
  type: string;
  url: string;
}

function fromPackage(file: string): Buffer {
  return readFileSync(require.resolve(file));
}

const SOURCES: Readonly<Record<string, { body: () => Buffer; type: string }>> = {
  'htmx.min.js': { body: () => fromPackage('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'sse.min.js': { body: () => fromPackage('htmx-ext-sse/dist/sse.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.js': { body: () => fromPackage('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { body: () => fromPackage('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'suite.css': { body: () => Buffer.from(SUITE_CSS), type: 'text/css; charset=utf-8' },
  'overview.js': { body: () => Buffer.from(OVERVIEW_JS), type: 'text/javascript; charset=utf-8' },
};

export type AssetName = keyof typeof SOURCES;

function load(prefix: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const [name, source] of Object.entries(SOURCES)) {
    const body = source.body();
    const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
    assets.set(name, { body, type: source.type, url: `${prefix}/assets/${name}?v=${hash}` });
  }
  return assets;
}

export function suiteAssets(prefix: string) {
  const assets = load(prefix);
  return {
    url: (name: AssetName) => assets.get(name)!.url,
    routes(app: FastifyInstance) {
      app.get<{ Params: { name: string } }>('/assets/:name', { config: { public: true } }, async (request, reply) => {
        const asset = assets.get(request.params.name);
        if (!asset) return reply.callNotFound();
        return reply.type(asset.type).header('cache-control', 'public, max-age=31536000, immutable').send(asset.body);
      });
    },
  };
}

export type SuiteAssets = ReturnType<typeof suiteAssets>;
