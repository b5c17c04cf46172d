/** GSM 7-bit and UCS-2 short message coding moved to src/model/gsm.ts (the SMPP server decodes with it too). */
export * from '../../model/gsm.js';
