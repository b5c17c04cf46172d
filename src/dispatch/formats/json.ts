import type { BodyFormat } from '../formats.js';

export const jsonFormat: BodyFormat = {
  render: (payload) => ({ body: JSON.stringify(payload), contentType: 'application/json' }),
};
