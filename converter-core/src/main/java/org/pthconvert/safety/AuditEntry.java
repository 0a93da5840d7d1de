package org.pthconvert.safety;

/**
 * One thing a pickle references or would do.
 *
 * @param action  "global" for a reference, "call" for REDUCE/INST/OBJ, "new" for NEWOBJ/_reconstructor
 * @param global  {@code module.name}
 * @param offset  byte offset of the opcode in the pickle record
 */
public record AuditEntry(String action, String global, long offset, Verdict verdict) {
}
