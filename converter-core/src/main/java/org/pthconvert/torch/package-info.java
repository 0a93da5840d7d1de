/**
 * The torch layer's values in a pickle tree: {@link org.pthconvert.torch.PStorage} (a storage a
 * persistent id names) and {@link org.pthconvert.torch.PTensor} (a tensor a rebuild call made, on
 * paper). The hooks in {@code model} and {@code inputs} build them; the pickle interpreter carries
 * them as inert {@link org.pthconvert.pickle.PickleValue.PHookValue}s without knowing what they are.
 */
package org.pthconvert.torch;
