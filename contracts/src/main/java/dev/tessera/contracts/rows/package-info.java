/**
 * The one changelog row codec: rows that carry their writer schema, resolved by name against
 * today's contract, with the reason a feature is missing; and the one entity-key encoding.
 */
package dev.tessera.contracts.rows;
