import type { DataProduct, OutputPort } from './data-product';

/**
 * Who may read which output ports, and how personal data reaches them. A grant names consumer domains
 * (by mesh project name) or roles (which API tokens map to); `*` grants to everyone. A consumer covered by
 * several grants gets the union of their ports, and for a port in more than one of them the most open
 * PII treatment: the grants are additive, never subtractive.
 */

export type PiiTreatment = 'masked' | 'clear' | 'refused';

export const EVERYONE = '*';

/** Orders treatments from closed to open, to merge overlapping grants. */
export const OPENNESS: Record<PiiTreatment, number> = { refused: 0, masked: 1, clear: 2 };

export interface PortGrant {
  port: OutputPort;
  pii: PiiTreatment;
}

/** Whether the product limits its readers at all: without an `access:` block every public model is open. */
export function restrictsAccess(product: DataProduct | undefined): product is DataProduct & { access: NonNullable<DataProduct['access']> } {
  return product?.access !== undefined;
}

/** The ports `consumer` may read, each with its PII treatment; empty when nothing is granted to it. */
export function grantsFor(product: DataProduct, consumer: string): PortGrant[] {
  const out = new Map<string, PortGrant>();
  for (const grant of product.access?.grants ?? []) {
    if (!grant.to.includes(consumer) && !grant.to.includes(EVERYONE)) continue;
    const ports = grant.ports ? product.output_ports.filter((p) => grant.ports!.includes(p.name)) : product.output_ports;
    for (const port of ports) {
      const seen = out.get(port.name);
      if (!seen || OPENNESS[grant.pii] > OPENNESS[seen.pii]) out.set(port.name, { port, pii: grant.pii });
    }
  }
  return [...out.values()];
}

/** Every consumer a grant names, `*` included: each gets a publication of its own. */
export function grantees(product: DataProduct): string[] {
  return [...new Set((product.access?.grants ?? []).flatMap((g) => g.to))].sort();
}

/** The grantees that are given `port`, for messages that say who may read it. */
export function granteesOf(product: DataProduct, portName: string): string[] {
  return grantees(product).filter((c) => grantsFor(product, c).some((g) => g.port.name === portName));
}

/** Whether a model (and version) is what a port serves: a port without a version serves every version. */
export function portServes(port: OutputPort, model: { name: string; version?: string | null }): boolean {
  return port.model === model.name && (port.version === undefined || port.version === String(model.version ?? ''));
}
