import type { Broker } from '../../broker/broker';

/**
 * A broker that is `inner` except for what `overrides` defines (port methods or extra ones):
 * test decorators stay right as the port grows.
 */
export function decorate<Extra extends object>(inner: Broker, overrides: Partial<Broker> & Extra): Broker & Extra {
  return new Proxy(inner, {
    get(target, property, receiver) {
      if (property in overrides) return overrides[property as keyof typeof overrides];
      const value = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as Broker & Extra;
}
