/**
 * Typed attributes: extra information a stream offers (its socket, peer address, TLS cipher…),
 * looked up by a typed key, as AnyIO's `typed_attribute()` / `extra()`.
 *
 * @module
 */
import { TypedAttributeLookupError } from "../errors.js";

/** A key for one attribute of type `T`. Compare by identity. */
export interface TypedAttribute<T> {
  /** A readable name for messages; two attributes with the same name are still distinct keys. */
  readonly name: string;
  /** Phantom field carrying the value type; never set. */
  readonly __type?: T;
}

/**
 * Creates an attribute key. Group related keys in a plain object (a "typed attribute set").
 *
 * @example
 * ```ts
 * export const PeerAttribute = {
 *   name: typedAttribute<string>("PeerAttribute.name"),
 *   port: typedAttribute<number>("PeerAttribute.port"),
 * } as const;
 * ```
 */
export function typedAttribute<T>(name: string): TypedAttribute<T> {
  if (typeof name !== "string") throw new TypeError(`typedAttribute(): name must be a string, got ${typeof name}`);
  return Object.freeze({ name }) as TypedAttribute<T>;
}

/** Getters for the attributes a provider offers, each called on lookup. */
export type AttributeGetters = ReadonlyMap<TypedAttribute<unknown>, () => unknown>;

/** Anything that offers typed attributes. */
export interface TypedAttributeProvider {
  /** The attributes on offer; wrappers merge the wrapped stream's map with their own. */
  readonly extraAttributes: AttributeGetters;
  /**
   * The value of `attribute`, or `defaultValue` when it is not offered. Without a default, a
   * missing attribute throws {@link TypedAttributeLookupError}.
   */
  extra<T>(attribute: TypedAttribute<T>): T;
  /** The value of a typed attribute, or `defaultValue` if it is not offered. */
  extra<T, D>(attribute: TypedAttribute<T>, defaultValue: D): T | D;
}

/**
 * Looks an attribute up in a getters map — the shared implementation of `extra()`.
 *
 * @example
 * ```ts
 * extra<T, D>(attr: TypedAttribute<T>, dflt?: D) { return lookupAttribute(this.extraAttributes, attr, ...arguments.length > 1 ? [dflt] : []); }
 * ```
 */
export function lookupAttribute<T>(getters: AttributeGetters, attribute: TypedAttribute<T>, ...defaultValue: [] | [unknown]): T {
  if (!(getters instanceof Map)) throw new TypeError(`lookupAttribute(): getters must be a Map of attribute getters, got ${String(getters)}`);
  if (attribute === null || typeof attribute !== "object") {
    throw new TypeError(`lookupAttribute(): attribute must be a key made by typedAttribute(), got ${String(attribute)}`);
  }
  const getter = getters.get(attribute as TypedAttribute<unknown>);
  if (getter === undefined) {
    if (defaultValue.length > 0) return defaultValue[0] as T;
    throw new TypedAttributeLookupError(`Attribute "${attribute?.name}" is not provided by this stream`);
  }
  return getter() as T;
}

/**
 * Merges getter maps; later maps win (a wrapper's own attributes override the wrapped one's).
 *
 * @example
 * ```ts
 * override get extraAttributes() {
 *   return mergeAttributes(this.inner.extraAttributes, new Map([[myAttribute, () => this.value]]));
 * }
 * ```
 */
export function mergeAttributes(...maps: AttributeGetters[]): AttributeGetters {
  const merged = new Map<TypedAttribute<unknown>, () => unknown>();
  for (const [i, map] of maps.entries()) {
    if (!(map instanceof Map)) throw new TypeError(`mergeAttributes(): argument ${i} must be a Map of attribute getters, got ${String(map)}`);
    for (const [k, v] of map) merged.set(k, v);
  }
  return merged;
}

/**
 * An empty getters map.
 *
 * @example
 * ```ts
 * get extraAttributes(): AttributeGetters {
 *   return NO_ATTRIBUTES; // this stream offers no attributes
 * }
 * ```
 */
export const NO_ATTRIBUTES: AttributeGetters = /* @__PURE__ */ new Map();
