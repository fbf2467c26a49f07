export * from './constants.js'
export * from './events.js'
export * from './decode.js'
export { dataSchemas, envelopeSchema } from './schemas.js'
