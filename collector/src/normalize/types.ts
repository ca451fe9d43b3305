// What normalisation needs to know about the project: which attributes name the tenant, and
// whether content is kept. Its output is core's StoredSpan, before trace assembly and pricing.

export interface NormalizeOptions {
  /** Attribute keys that name the tenant, in precedence order. Default ['tenant.id']. */
  tenantKeys: string[];
  /** Keep prompt and completion content attributes. Default false: they are removed. */
  captureContent: boolean;
}
