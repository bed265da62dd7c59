import { maskingOf, piiReason } from '../pii';
import type { Policy, Raised } from './policy';
import { isPublic } from './policy';

/**
 * Personal data may leave a domain only masked. A column is personal data when it carries one of the
 * configured tags or meta.classification values; it is masked when its meta says how (`masking: hash`,
 * `redact`, or `null`), which the serving layer applies for every grant that does not receive it in clear.
 */

export const piiNotExposed: Policy<'pii-not-exposed'> = {
  name: 'pii-not-exposed',
  check(context, params) {
    const out: Raised[] = [];
    for (const node of context.models.filter(isPublic)) {
      for (const column of node.columns) {
        const reason = piiReason(column, params);
        if (!reason) continue;
        const masking = maskingOf(column);
        if (masking !== undefined && params.masking.includes(masking)) continue;
        const place = context.locate.column(node, column.name);
        const allowed = params.masking.join(', ');
        out.push({
          ...place,
          node: node.unique_id,
          message: masking === undefined
            ? `column '${column.name}' of public model '${node.name}' is personal data (${reason}) and is not masked`
            : `column '${column.name}' of public model '${node.name}' declares masking '${masking}', which is not one of ${allowed}`,
          hint: `Declare how it is masked for other domains with meta: {masking: ${params.masking[0] ?? 'hash'}} (one of ${allowed}) on the column, or leave the column out of the public model.`,
        });
      }
    }
    return out;
  },
};
