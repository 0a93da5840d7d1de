/**
 * The safe pickle reader (not exported from the module: the hooks decide what is safe): {@link org.pthconvert.pickle.reader.Unpickler} runs pickle opcodes (protocols
 * 0-5, table in {@link org.pthconvert.pickle.reader.Opcode}) over an explicit stack and builds inert
 * {@link org.pthconvert.pickle.PickleValue}s. It never imports, loads classes or calls anything:
 * globals, calls, object creation and persistent ids go to {@link org.pthconvert.pickle.reader.PickleHooks},
 * which answer from names alone, after the names are resolved as CPython's unpickler resolves them
 * ({@code GlobalNames}: Python 2 names before protocol 3). {@link org.pthconvert.pickle.reader.DataOnlyHooks}
 * answers for plain data (the {@code PLAIN_CALL} names of {@link org.pthconvert.safety.Allowlist};
 * anything else is refused as dangerous), follows what a BUILD state plants on an instance
 * ({@code __setstate__}, {@code append}, {@code extend}) and is the base of the torch layer's hooks. {@link org.pthconvert.pickle.PickleLimits} bounds every resource a
 * file could make the reader spend; {@link org.pthconvert.pickle.PickleRepr} prints a value tree of
 * any depth without recursion.
 *
 * <p>Package-private helpers: {@code PickleInput} (bounded, position-counting reads),
 * {@code PickleStack} (stack and MARKs), {@code Memo}, {@code TextForms} (text and encoded argument
 * forms), {@code ContainerOpcodes} and {@code ObjectOpcodes} (opcode groups), {@code KeyGuard}
 * (what a dict key may cost to hash), {@code MemoryBudget} (the total a pickle's values may take),
 * {@code CopyGuard} (what copying the same values over and over
 * through the memo may cost), {@code PlainCalls} (what the plain calls build).
 */
package org.pthconvert.pickle.reader;
