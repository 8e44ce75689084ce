/** AIVDM/AIVDO decoder: see README.md in this folder. */
export { createPayloadBuffer, dearmor, sbits, sixbitText, ubits } from './bits.js';
export { createType24Store, decodePayload } from './decode.js';
export {
  type AisDecoder,
  type AisDecoderOptions,
  createAisDecoder,
  createAisDecodeStream,
  createGpsdJsonDecoder,
  decodeAis,
  type GpsdJsonDecoderOptions,
} from './decoder.js';
export { createGpsdFormatter, type GpsdJsonOptions } from './gpsd.js';
export {
  type AisStats,
  createSentenceParser,
  createStats,
  type PayloadMeta,
  type SentenceOptions,
} from './sentence.js';
export type * from './types.js';
