/**
 * A store whose every method call goes through `around(method, args, call)`, for a test that records
 * the calls a route makes, or makes one fail after it ran; `call()` runs it on the real store.
 */
import type { Store } from '../../src/stores/store.js';

export function aroundStore(base: Store, around: (method: string, args: unknown[], call: () => unknown) => unknown): Store {
  return new Proxy(base, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => around(String(prop), args, () => value.apply(target, args));
    },
  });
}
