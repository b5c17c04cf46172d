import type { BodyFormat } from './format.js';

export const jsonFormat: BodyFormat = {
  render: (payload) => ({ body: JSON.stringify(payload), contentType: 'application/json' }),
  renderBatch: (bodies) => `[${bodies.join(',')}]`,
};
