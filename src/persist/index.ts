export {
  CACHE_VERSION,
  indexedDBCache,
  memoryCache,
  serverKey,
  toPlain,
  type CachedSession,
  type SessionCache,
  type SessionCacheOptions,
} from './cache.js'
