/**
 * The safe pickle reader: {@link org.pthconvert.pickle.Unpickler} runs pickle opcodes (protocols
 * 0-5, table in {@link org.pthconvert.pickle.Opcode}) over an explicit stack and builds inert
 * {@link org.pthconvert.pickle.PickleValue}s. It never imports, loads classes or calls anything:
 * globals, calls, object creation and persistent ids go to {@link org.pthconvert.pickle.PickleHooks},
 * which answer from names alone. {@link org.pthconvert.pickle.DataOnlyHooks} answers for plain data
 * (an explicit allowlist of harmless constructors; anything else is refused as dangerous) and is the
 * base of the torch layer's hooks. {@link org.pthconvert.pickle.PickleLimits} bounds every resource a
 * file could make the reader spend; {@link org.pthconvert.pickle.PickleRepr} prints a value tree of
 * any depth without recursion.
 *
 * <p>Package-private helpers: {@code PickleInput} (bounded, position-counting reads),
 * {@code PickleStack} (stack and MARKs), {@code Memo}, {@code TextForms} (text and encoded argument
 * forms), {@code ContainerOpcodes} and {@code ObjectOpcodes} (opcode groups), {@code KeyGuard}
 * (what a dict key may cost to hash), {@code CopyGuard} (what copying the same values over and over
 * through the memo may cost), {@code PlainCalls} (the data-only allowlist), {@code DictKey}.
 */
package org.pthconvert.pickle;
