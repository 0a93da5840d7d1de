package org.pthconvert.safety;

/**
 * One thing a pickle references or would do.
 *
 * @param action  "global" for a reference, "call" for REDUCE/INST/OBJ (and a BUILD-planted
 *                {@code __setstate__}/{@code extend}, APPEND/SETITEM on an object), "new" for
 *                NEWOBJ/_reconstructor, "build" for state that sets dunders or callables
 * @param global  {@code module.name}
 * @param offset  byte offset of the opcode in the pickle record
 */
public record AuditEntry(String action, String global, long offset, Verdict verdict) {
}
